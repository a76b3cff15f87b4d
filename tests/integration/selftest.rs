//! The suite's proof of its own bite (issue 15): every listed rule, broken alone in the reference
//! server, is caught by at least one case; `fixtures/bite.json` is the current figure; the
//! legitimate variants pass.

use hwconform::catalogue::{Catalogue, rule_list};
use hwconform::selftest::{BITE_FILE, Bite, Options, run};
use hwconform::server::Variant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_broken_alone_is_caught_and_the_committed_bite_is_current() {
    let catalogue = Catalogue::builtin().unwrap();
    // Broken servers only here; the variants have their own test below.
    let options = Options { variants: false, ..Options::default() };
    let result = run(&catalogue, &options).await.unwrap();
    let bite = &result.bite;
    assert_eq!(bite.rules, rule_list(&catalogue).len(), "every listed rule is tried");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BITE_FILE);
    if std::env::var_os("HWCONFORM_UPDATE_BITE").is_some() {
        std::fs::write(&path, bite.to_json()).unwrap();
    }
    // Every rule, the companion deletes' included: a rule no case catches fails here by name.
    assert!(bite.uncaught.is_empty(), "rules no case catches: {:#?}", bite.uncaught);
    let committed: Bite = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        &committed, bite,
        "{BITE_FILE} is stale: rerun with HWCONFORM_UPDATE_BITE=1 (or `hwconform selftest --write {BITE_FILE}`)"
    );
}

/// Every legitimate variant of the reference server (throttling included: refused requests are sent
/// again) fails no case; what could not be tested is listed apart, never a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legitimate_variants_fail_no_case() {
    let catalogue = Catalogue::builtin().unwrap();
    let options = Options {
        rules: false,
        // Latency only slows every answer down; it is covered by the server's own tests.
        variant_list: Some(Variant::all().into_iter().filter(|v| !matches!(v, Variant::Latency(_))).collect()),
        ..Options::default()
    };
    let result = run(&catalogue, &options).await.unwrap();
    assert_eq!(result.bite.rules, 0);
    assert!(result.variants.len() >= 5, "{:?}", result.variants);
    let failing: Vec<_> = result.variants.iter().filter(|v| !v.failed.is_empty()).collect();
    assert!(failing.is_empty(), "a legitimate variant failed cases: {failing:#?}");
}

#[test]
fn a_broken_rule_names_its_first_failing_case_and_an_uncaught_rule_is_counted() {
    use hwconform::selftest::RuleBite;
    let rules = vec![
        RuleBite {
            rule: "op/body/a/type".into(),
            operation: "op".into(),
            probes: 3,
            caught_by: Some("op/violation/a".into()),
        },
        RuleBite { rule: "op/body/b/type".into(), operation: "op".into(), probes: 0, caught_by: None },
    ];
    let bite = Bite::of(&rules);
    assert_eq!((bite.caught, bite.rules), (1, 2));
    assert_eq!(bite.uncaught, ["op/body/b/type"]);
    assert_eq!(bite.unprobed, ["op/body/b/type"]);
    assert!(bite.render().contains("op/body/b/type\t0 probes\tNOT CAUGHT"));
}
