//! Owns the run's one scheduler: the cases as a graph of conflicts and dependencies, run as
//! fast as it allows.
//!
//! A case touches target state through its steps: a step of a mutating operation *writes* the
//! collection its path names (the project, then the graph or instance the backups live in); a
//! case whose rule relates several answers about one list (pages of a walk, a list before and
//! after an add) *observes* the collections its other steps read, and needs them still between
//! those requests. A case doing both needs its collections to itself. Two cases conflict when
//! their collections overlap (one is the other, or holds it: the project's list holds every
//! graph's backups) and one writes while the other observes (or either needs it to itself).
//! Writers do not conflict with each other, nor observers with each other, nor anything with a
//! case touching nothing shared (an id of its own, a resource that does not exist, a request that
//! changes nothing, a rule about one answer).
//!
//! Conflicting cases never overlap; which goes first is free (each rule is about the answers of
//! its own case, whatever the list held before). Explicit dependencies (`after`: a case that needs
//! a resource another prepares, a wait) order cases. Everything else runs as soon as a slot of the
//! concurrency is free. Among the cases that may start, the longest (in requests) goes first, so
//! long chains of requests start early and short cases fill the gaps. Where the target gives every
//! case a project of its own (the reference server), no two cases share a collection.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use tokio::task::JoinSet;

use crate::catalogue::{Location, ParamRole};
use crate::execute::project_for;
use crate::generate::{Case, FlowRule, PageRule, Relation, Slot};
use crate::profile::TargetProfile;

/// How a case uses one collection of the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Reads it and relates the answers: it must not change meanwhile.
    Observe,
    /// Adds to it (or changes it).
    Write,
    /// Both: nothing else may touch it meanwhile.
    Exclusive,
}

impl Access {
    /// Writers exclude each other too: the cleanup journal tells a create that names no id by the
    /// one new item of the list after it, which a concurrent add on the same collection would blur.
    fn conflicts(self, other: Self) -> bool {
        !matches!((self, other), (Self::Observe, Self::Observe))
    }

    fn join(self, other: Self) -> Self {
        if self == other { self } else { Self::Exclusive }
    }
}

/// A collection of the target: the service, the project, then the graph or instance (a list of
/// the project's backups holds those of its graphs: a key's prefix names a collection holding it).
pub(super) type Key = Vec<String>;

/// Whether two collections overlap: one is the other, or holds it.
fn overlaps(a: &Key, b: &Key) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The collections a case touches, and how.
pub fn accesses(case: &Case, profile: &TargetProfile) -> BTreeMap<Key, Access> {
    let project = project_for(case, profile);
    let relates = observes(&case.relation);
    let mut out: BTreeMap<Key, Access> = BTreeMap::new();
    for step in &case.steps {
        let meta = &step.operation.meta;
        let access = match (meta.mutating && case.mutating, relates) {
            (true, _) => Access::Write,
            (false, true) => Access::Observe,
            (false, false) => continue,
        };
        let Some(key) = collection(case, step, &project, profile) else { continue };
        out.entry(key).and_modify(|a| *a = a.join(access)).or_insert(access);
    }
    out
}

/// Whether a case's rule relates several answers about one list, so the list must not change
/// between them (a rule about each answer alone does not care).
fn observes(relation: &Relation) -> bool {
    match relation {
        Relation::None => false,
        Relation::Pagination(rule) => match rule {
            PageRule::OffsetSkips | PageRule::TotalConstant | PageRule::WalkAll | PageRule::DefaultSame { .. } => true,
            PageRule::WithinLimit | PageRule::DefaultLimit { .. } => false,
        },
        Relation::Flow(rule) => match rule {
            FlowRule::Appears { .. } | FlowRule::Gone { .. } => true,
            FlowRule::ReturnsIds { .. } => false,
        },
    }
}

/// The collection a step's path names: the service, the project and the graph or instance, with
/// the values the case will send. `None` when it names nothing shared: a resource that does not
/// exist, or one the case created itself (captured from an earlier answer).
fn collection(case: &Case, step: &crate::generate::Step, project: &str, profile: &TargetProfile) -> Option<Key> {
    let meta = &step.operation.meta;
    let mut key = vec![meta.service.clone()];
    for p in meta.parameters.iter().filter(|p| p.location == Location::Path) {
        if !matches!(p.role, ParamRole::Project | ParamRole::Graph | ParamRole::Instance) {
            continue;
        }
        let slot = step.request.path.iter().find(|(name, _)| name == &p.name).map(|(_, s)| s)?;
        let value = match slot {
            Slot::Role(ParamRole::Project) => project.to_owned(),
            Slot::Role(role) => profile.resource(*role).unwrap_or_default().to_owned(),
            Slot::Literal(v) => v.to_string(),
            // An id that names nothing, or this case's own resource: shared with no one.
            Slot::Unknown(_) => return None,
            Slot::Captured(name) => format!("{}#{name}", case.id),
            // A value the target supplies names its own resource, as the profile does.
            Slot::Supplied { member, .. } => profile.supplied(member).unwrap_or_default().to_owned(),
        };
        key.push(value);
    }
    Some(key)
}

/// Requests a case is expected to send: one per step, a few for a walk.
fn weight(case: &Case) -> u64 {
    case.steps.iter().map(|s| s.walk.as_ref().map_or(1, |w| w.max_pages.clamp(1, 3) as u64)).sum()
}

/// The graph of a run: which cases may not overlap, which must wait for which.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// For each case, the cases it may not overlap with (symmetric).
    pub conflicts: Vec<Vec<usize>>,
    /// For each case, the cases it must wait for (explicit dependencies; none come from accesses).
    pub after: Vec<Vec<usize>>,
    /// For each case, the requests it is expected to send.
    pub weight: Vec<u64>,
}

impl Plan {
    /// The graph of `cases` against `profile`.
    pub fn of(cases: &[impl AsRef<Case>], profile: &TargetProfile) -> Self {
        let access: Vec<BTreeMap<Key, Access>> = cases.iter().map(|c| accesses(c.as_ref(), profile)).collect();
        let weights: Vec<u64> = cases.iter().map(|c| weight(c.as_ref())).collect();
        Self::from_accesses(&access, &weights)
    }

    /// The graph of cases with these accesses and weights.
    pub fn from_accesses(access: &[BTreeMap<Key, Access>], weights: &[u64]) -> Self {
        let n = access.len();
        let mut conflicts: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            for j in 0..i {
                let clash =
                    access[i].iter().any(|(k, a)| access[j].iter().any(|(l, b)| overlaps(k, l) && a.conflicts(*b)));
                if clash {
                    conflicts[i].push(j);
                    conflicts[j].push(i);
                }
            }
        }
        Self { conflicts, after: vec![Vec::new(); n], weight: weights.to_vec() }
    }

    /// Requests of the longest run of cases that cannot overlap: a greedy clique of the conflict
    /// graph, heaviest first (a lower bound on how long the run must be, in requests, whatever the
    /// concurrency), or the heaviest case if larger.
    pub fn longest_chain(&self) -> u64 {
        let n = self.weight.len();
        let mut best = self.weight.iter().copied().max().unwrap_or(0);
        for start in 0..n {
            let mut members = vec![start];
            let mut others: Vec<usize> = self.conflicts[start].clone();
            others.sort_by_key(|&k| std::cmp::Reverse(self.weight[k]));
            for k in others {
                if members.iter().all(|&m| self.conflicts[k].contains(&m)) {
                    members.push(k);
                }
            }
            best = best.max(members.iter().map(|&m| self.weight[m]).sum());
        }
        best
    }

    /// Pairs of cases that may not overlap.
    pub fn conflict_pairs(&self) -> usize {
        self.conflicts.iter().map(Vec::len).sum::<usize>() / 2
    }
}

/// Runs every node of `plan`, at most `concurrency` at once, each once all it waits for have
/// ended and while no node it conflicts with runs; `start(i)` makes node `i`'s work,
/// `done(i, &result)` hears of each as it ends. A node whose task panicked gets `None` (and its
/// dependants still run: they wait for its end, not its success).
pub async fn run_plan<T, F, Fut>(
    plan: &Plan,
    concurrency: usize,
    mut start: F,
    done: &mut (dyn FnMut(usize, &T) + Send),
) -> Vec<Option<T>>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let n = plan.weight.len();
    let mut waiting: Vec<usize> = plan.after.iter().map(Vec::len).collect();
    let mut dependants = vec![Vec::new(); n];
    for (i, deps) in plan.after.iter().enumerate() {
        for &j in deps {
            dependants[j].push(i);
        }
    }
    // Nodes free of dependencies, heaviest first, then in list order.
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let order = |ready: &mut Vec<usize>| ready.sort_by_key(|&i| (std::cmp::Reverse(plan.weight[i]), i));
    order(&mut ready);
    // How many running nodes each node conflicts with.
    let mut blocked = vec![0usize; n];
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let mut set = JoinSet::new();
    let mut tasks = HashMap::new();
    loop {
        while set.len() < concurrency.max(1) {
            let Some(pos) = ready.iter().position(|&i| blocked[i] == 0) else { break };
            let i = ready.remove(pos);
            for &k in &plan.conflicts[i] {
                blocked[k] += 1;
            }
            let work = start(i);
            let handle = set.spawn(async move { (i, work.await) });
            tasks.insert(handle.id(), i);
        }
        let Some(joined) = set.join_next_with_id().await else { break };
        let i = match joined {
            Ok((id, (i, result))) => {
                tasks.remove(&id);
                done(i, &result);
                results[i] = Some(result);
                i
            }
            Err(e) => {
                tracing::error!(error = %e, "a case task panicked");
                let Some(i) = tasks.remove(&e.id()) else { continue };
                i
            }
        };
        for &k in &plan.conflicts[i] {
            blocked[k] -= 1;
        }
        for &k in &dependants[i] {
            waiting[k] -= 1;
            if waiting[k] == 0 {
                ready.push(k);
                order(&mut ready);
            }
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;

    fn acc(items: &[(&str, Access)]) -> BTreeMap<Key, Access> {
        items.iter().map(|(k, a)| (k.split('/').map(str::to_owned).collect(), *a)).collect()
    }

    #[test]
    fn only_writers_and_observers_of_overlapping_collections_conflict() {
        use Access::*;
        let access = [
            acc(&[("g", Write)]),      // 0
            acc(&[("g", Observe)]),    // 1: with 0, 3
            acc(&[("g", Observe)]),    // 2: with 0, 3
            acc(&[("g", Write)]),      // 3: with 0, 1, 2
            acc(&[]),                  // 4: free
            acc(&[("h", Exclusive)]),  // 5: with 6
            acc(&[("h", Write)]),      // 6: with 5
            acc(&[("p/g1", Write)]),   // 7: with 8
            acc(&[("p", Observe)]),    // 8: with 7 (the project's list holds the graph's)
            acc(&[("p/g2", Observe)]), // 9: free (another graph)
        ];
        let plan = Plan::from_accesses(&access, &[1, 3, 2, 1, 1, 2, 1, 1, 1, 1]);
        assert_eq!(
            plan.conflicts,
            vec![
                vec![1, 2, 3],
                vec![0, 3],
                vec![0, 3],
                vec![0, 1, 2],
                vec![],
                vec![6],
                vec![5],
                vec![8],
                vec![7],
                vec![]
            ]
        );
        assert_eq!(plan.conflict_pairs(), 7);
        // 1, 0 and 3 cannot overlap: 3 + 1 + 1 requests at least.
        assert_eq!(plan.longest_chain(), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn conflicting_nodes_never_overlap_and_the_rest_run_at_once() {
        use Access::*;
        let access = [acc(&[("g", Write)]), acc(&[("g", Observe)]), acc(&[]), acc(&[])];
        let plan = Plan::from_accesses(&access, &[1, 1, 1, 1]);
        let log = Arc::new(Mutex::new(Vec::new()));
        let started = tokio::time::Instant::now();
        let start = |i: usize| {
            let log = Arc::clone(&log);
            async move {
                let at = tokio::time::Instant::now();
                tokio::time::sleep(Duration::from_millis(100)).await;
                log.lock().unwrap().push((i, at));
                i * 10
            }
        };
        let mut seen = Vec::new();
        let results = run_plan(&plan, 8, start, &mut |i, _: &usize| seen.push(i)).await;
        assert_eq!(results, vec![Some(0), Some(10), Some(20), Some(30)]);
        let log = log.lock().unwrap();
        let at = |i: usize| log.iter().find(|(j, _)| *j == i).unwrap().1 - started;
        assert_eq!(at(0), Duration::ZERO);
        assert_eq!(at(2), Duration::ZERO);
        assert_eq!(at(3), Duration::ZERO);
        assert_eq!(at(1), Duration::from_millis(100), "the observer waits for the writer only");
        assert_eq!(seen.len(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn explicit_dependencies_order_and_the_heaviest_starts_first() {
        let access = [acc(&[]), acc(&[]), acc(&[])];
        let mut plan = Plan::from_accesses(&access, &[1, 1, 5]);
        plan.after[2] = vec![1];
        let mut order = Vec::new();
        run_plan(&plan, 1, |i| async move { i }, &mut |i, _| order.push(i)).await;
        // 2 is the heaviest but waits for 1; then it goes before 0.
        assert_eq!(order, vec![0, 1, 2]);
        let plan = Plan::from_accesses(&access, &[1, 1, 5]);
        let mut order = Vec::new();
        run_plan(&plan, 1, |i| async move { i }, &mut |i, _| order.push(i)).await;
        assert_eq!(order, vec![2, 0, 1]);
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::generate::generate;
    use crate::profile::ProfileFile;

    fn plan(isolate: bool) -> (Vec<Case>, Plan) {
        let cases = generate(&Catalogue::builtin().unwrap());
        let mut file = ProfileFile::reference().unwrap();
        file.isolate_projects = isolate;
        let profile = file.resolve(&|_| None).unwrap();
        let arcs: Vec<std::sync::Arc<Case>> = cases.iter().cloned().map(std::sync::Arc::new).collect();
        (cases, Plan::of(&arcs, &profile))
    }

    #[test]
    fn cases_with_projects_of_their_own_never_conflict() {
        let (_, plan) = plan(true);
        assert_eq!(plan.conflict_pairs(), 0);
    }

    #[test]
    fn on_one_project_walks_and_flows_exclude_the_adds_and_nothing_else() {
        let (cases, plan) = plan(false);
        let id = |i: usize| cases[i].id.as_str();
        let index = |needle: &str| cases.iter().position(|c| c.id.as_str().ends_with(needle)).unwrap();
        let walk = index("list_backups/pagination/walk_all");
        let clash: Vec<&str> = plan.conflicts[walk].iter().map(|&k| id(k)).collect();
        assert!(clash.contains(&"ges.v2.add_backup/positive/example"), "{clash:?}");
        assert!(clash.contains(&"ges.v1.add_backup/flow/create"), "{clash:?}");
        // The pagination case that adds backups before it lists them is a writer.
        assert!(clash.contains(&"ges.v1.list_backups/pagination/default_limit"), "{clash:?}");
        // Another walk does not change the list; an add to another service's instance, or under
        // a project of its own (a project-id probe), is elsewhere.
        for free in ["pagination/offset_skips", "pagination/total_constant", "geminidb", "path.project_id"] {
            assert!(!clash.iter().any(|c| c.contains(free)), "{free}: {clash:?}");
        }
        assert!(plan.conflicts[index("list_backups/pagination/within_limit")].is_empty());
        // Read-only cases are free.
        assert!(plan.conflicts[index("list_backups/positive/example")].is_empty());
    }
}
