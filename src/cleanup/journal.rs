//! The journal: one JSON line per event, appended and flushed as it happens, beside the report.
//! Every resource the run creates is written the moment the target accepts it, with what deletes it;
//! what became of it is written when cleanup settles it. A run killed at any point (SIGKILL, a CI
//! timeout) leaves a journal `hwconform cleanup JOURNAL` can finish from.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::CleanupError;
use super::list::{self, Item};
use super::plan::{CreatorPlan, Lifecycle, ids_on};
use crate::catalogue::Operation;
use crate::execute::{Progress, StepExchange, Target};
use crate::report::CleanupState;

/// The journal's file name beside the report.
pub const FILE_NAME: &str = "created.jsonl";

/// A resource the run created, as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    /// Its place in the journal (1, 2 …).
    pub seq: u64,
    /// What it is (`backup`, `export`).
    pub kind: String,
    /// Its id on the target, where the answer or the list window named it.
    pub id: Option<String>,
    /// Why the id is unknown (then it is never deleted: a possible leftover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unidentified: Option<String>,
    /// The other id-like members of the answer (a job id), shown, never used to delete.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answer_ids: BTreeMap<String, String>,
    /// Id of the operation whose request created it (`ges.v2.add_backup`).
    pub creator: String,
    /// Id of the case that sent the creating request.
    pub case: String,
    /// The project id the request was sent under (needed to list and delete it).
    pub project: String,
    /// The values the creating request's slots took, by role (`graph`, `instance` …).
    pub bindings: BTreeMap<String, String>,
    /// The operation that deletes it, if the contract has one.
    pub deleter: Option<String>,
    /// The list that shows it, if the contract has one.
    pub list: Option<String>,
    /// For an answer that names no id: the ids the list showed on the same parent just before the
    /// request, so the new one can be told apart (also later, by `hwconform cleanup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Vec<String>>,
    /// When the line was written, RFC 3339 UTC.
    pub at: String,
    /// The creating request this answer (or this record of an unanswered request) belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<u64>,
}

/// One line of the journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    /// The first line: which run, against which profile.
    Opened {
        /// When the run opened the journal, RFC 3339 UTC.
        at: String,
        /// Name of the target profile the run used (cleanup needs the same target).
        profile: String,
    },
    /// The target accepted a creating request: the resource it made, with what deletes it.
    Created(Box<Created>),
    /// About to send a creating request (`send` numbers it; `seq` is 0, `id` none, `before` the
    /// parent's items the list showed at the run's first create there). A run killed before the answer
    /// leaves this line alone: cleanup then asks the list whether the request was processed.
    Sending(Box<Created>),
    /// The creating request `send` was answered without creating anything, or cleanup found through
    /// the list that it was never processed (`how`).
    Answered {
        /// The `send` number of the creating request.
        send: u64,
        /// How cleanup found it was never processed; `None` when its answer said so.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        how: Option<String>,
    },
    /// The resource `seq`, created by an answer that named no id, was told apart through the list (or
    /// could not be: `unidentified` says why).
    Identified {
        /// The resource's place in the journal.
        seq: u64,
        /// Its id, as the list showed it; `None` when it could not be told apart.
        id: Option<String>,
        /// Why it could not be told apart; `None` when `id` is known.
        unidentified: Option<String>,
    },
    /// A case of the run deleted the resource `seq` itself (the target answered `status`); cleanup
    /// only verifies it is gone.
    Removed {
        /// The resource's place in the journal.
        seq: u64,
        /// Id of the case that sent the delete.
        case: String,
        /// Id of the delete operation it called.
        operation: String,
        /// HTTP status the target answered the delete with.
        status: u16,
    },
    /// What became of the resource `seq`.
    Settled {
        /// The resource's place in the journal.
        seq: u64,
        /// What became of it (deleted, accepted, left, not removable).
        state: CleanupState,
    },
}

/// A delete a case sent of a resource the run created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Id of the case that sent the delete.
    pub case: String,
    /// Id of the delete operation (`ges.v2.delete_backup`).
    pub operation: String,
    /// HTTP status the target answered the delete with.
    pub status: u16,
}

/// What a journal file holds, folded: the resources and the state each was last settled in.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    /// Name of the target profile the run used (from the `opened` line).
    pub profile: String,
    /// Every resource the run created, in journal order (`seq`).
    pub created: Vec<Created>,
    /// Creating requests sent and never answered (by `send`).
    pub unanswered: BTreeMap<u64, Created>,
    /// Deletes the run's own cases sent, by the resource's `seq`.
    pub removed: BTreeMap<u64, Removal>,
    /// The last state each resource was settled in, by `seq`.
    pub settled: BTreeMap<u64, CleanupState>,
}

impl Contents {
    /// The resources not yet settled for good (deleted, accepted or not removable).
    pub fn open(&self) -> Vec<Created> {
        self.created.iter().filter(|c| self.settled.get(&c.seq).is_none_or(CleanupState::is_left)).cloned().collect()
    }
}

struct Inner {
    /// Opened on the first line that matters: a run that creates nothing writes no journal.
    file: Option<File>,
    /// The first line, written when the file is opened.
    header: Option<Entry>,
    created: Vec<Created>,
    removed: BTreeMap<u64, Removal>,
    /// Creating requests sent and not answered yet, by `send`.
    unanswered: BTreeMap<u64, Created>,
    /// The last `send` number given.
    sends: u64,
    /// The ids each (list, project, parent) showed at the run's first create there.
    baselines: BTreeMap<(String, String, Option<String>), Vec<String>>,
}

impl Inner {
    /// The number of the next record: one past the highest so far (a reopened journal included).
    fn next_seq(&self) -> u64 {
        self.created.iter().map(|x| x.seq).max().unwrap_or(0) + 1
    }
}

impl Created {
    /// A record of a request of `case` to `plan`'s creator, not numbered yet, with nothing known of
    /// what it created.
    fn by(plan: &CreatorPlan, case: &str, project: String, bindings: &BTreeMap<String, String>) -> Self {
        Self {
            seq: 0,
            kind: plan.kind.clone(),
            id: None,
            unidentified: None,
            answer_ids: BTreeMap::new(),
            creator: plan.creator.meta.id.to_string(),
            case: case.to_owned(),
            project,
            bindings: bindings.clone(),
            deleter: plan.deleter.as_ref().map(|d| d.meta.id.to_string()),
            list: plan.list.as_ref().map(|l| l.op.meta.id.to_string()),
            before: None,
            at: now(),
            send: None,
        }
    }
}

/// The ids `after` shows on `parent` that `before` did not and no record of the journal claims
/// (`known`): what requests of the run may have created.
fn unclaimed(after: Vec<Item>, parent: Option<&str>, before: &[String], known: &[String]) -> Vec<String> {
    ids_on(after, parent).into_iter().filter(|id| !before.contains(id) && !known.contains(id)).collect()
}

/// The open journal of a running run.
pub struct Journal {
    path: PathBuf,
    plan: Arc<Lifecycle>,
    max_created: Option<usize>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish_non_exhaustive()
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

impl Journal {
    /// Starts a journal at `path`. Nothing is written until the run creates something; then an older
    /// journal at the same place (another run's, maybe with leftovers) is kept as
    /// `<stem>.<n>.jsonl`, never overwritten.
    pub fn create(
        path: &Path,
        plan: Arc<Lifecycle>,
        profile: &str,
        max_created: Option<usize>,
    ) -> Result<Self, CleanupError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| CleanupError::Journal { path: path.to_owned(), message: e.to_string() })?;
        }
        let header = Entry::Opened { at: now(), profile: profile.to_owned() };
        let inner = Inner {
            file: None,
            header: Some(header),
            created: Vec::new(),
            removed: BTreeMap::new(),
            unanswered: BTreeMap::new(),
            sends: 0,
            baselines: BTreeMap::new(),
        };
        Ok(Self { path: path.to_owned(), plan, max_created, inner: Mutex::new(inner) })
    }

    /// Opens the file for a new journal, moving an older one aside.
    fn open_new(&self) -> std::io::Result<File> {
        if self.path.exists() {
            let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            #[expect(clippy::maybe_infinite_iter, reason = "a directory holds finitely many files: one name is free")]
            let aside = (1..)
                .map(|n| self.path.with_file_name(format!("{stem}.{n}.jsonl")))
                .find(|p| !p.exists())
                .unwrap_or_else(|| self.path.with_extension("old"));
            std::fs::rename(&self.path, &aside)?;
            eprintln!("hwconform: an older journal was moved to {}", aside.display());
        }
        File::create(&self.path)
    }

    /// Reopens an existing journal to append what cleanup settles.
    pub fn reopen(path: &Path, plan: Arc<Lifecycle>, contents: &Contents) -> Result<Self, CleanupError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| CleanupError::Journal { path: path.to_owned(), message: e.to_string() })?;
        let inner = Mutex::new(Inner {
            file: Some(file),
            header: None,
            created: contents.created.clone(),
            removed: contents.removed.clone(),
            unanswered: contents.unanswered.clone(),
            sends: contents.unanswered.keys().copied().max().unwrap_or(0),
            baselines: BTreeMap::new(),
        });
        Ok(Self { path: path.to_owned(), plan, max_created: None, inner })
    }

    /// Where the journal is (or will be) written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lifecycle plan: for each creating operation, what deletes and lists what it makes.
    pub fn plan(&self) -> &Lifecycle {
        &self.plan
    }

    /// Writes one line and flushes it to the operating system: it survives the process being killed.
    /// A journal that cannot be written is reported once per line on stderr; the run goes on.
    fn append(&self, entry: &Entry) {
        let mut line = serde_json::to_string(entry).unwrap_or_default();
        line.push('\n');
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let inner = &mut *inner;
        let written = (|| -> std::io::Result<()> {
            if inner.file.is_none() {
                let mut file = self.open_new()?;
                if let Some(header) = inner.header.take() {
                    let mut first = serde_json::to_string(&header).unwrap_or_default();
                    first.push('\n');
                    file.write_all(first.as_bytes())?;
                }
                inner.file = Some(file);
            }
            let file = inner.file.as_mut().ok_or_else(|| std::io::Error::other("no journal file"))?;
            file.write_all(line.as_bytes())?;
            file.flush()
        })();
        if let Err(e) = written {
            tracing::error!(journal = %self.path.display(), error = %e, "could not write the journal");
        }
    }

    /// Records what became of a resource.
    pub fn settle(&self, seq: u64, state: &CleanupState) {
        self.append(&Entry::Settled { seq, state: state.clone() });
    }

    /// Removes the journal file when it records no resource and no request left unanswered (only
    /// creating requests the target refused): a run that created nothing leaves no journal.
    pub fn discard_if_empty(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.created.is_empty() && inner.unanswered.is_empty() && inner.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// The resources recorded so far.
    pub fn created(&self) -> Vec<Created> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).created.clone()
    }

    /// The deletes the run's cases sent of what it created, by resource.
    pub fn removed(&self) -> BTreeMap<u64, Removal> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).removed.clone()
    }

    /// Whether `op` may still be sent: `Err` once the run created `--max-created` resources.
    pub fn admit(&self, op: &Operation) -> Result<(), String> {
        let Some(max) = self.max_created else { return Ok(()) };
        if self.plan.creator(op.meta.id.as_str()).is_none() {
            return Ok(());
        }
        let n = self.inner.lock().unwrap_or_else(PoisonError::into_inner).created.len();
        if n >= max { Err(format!("the run already created {n} resources (--max-created {max})")) } else { Ok(()) }
    }

    /// For a creating operation whose answer names no id: the list items of the parent before the
    /// request, so the new one can be told apart after it.
    pub async fn window_before(
        &self,
        op: &Operation,
        bindings: &BTreeMap<String, String>,
        target: &Target<'_>,
    ) -> Option<Result<Vec<Item>, String>> {
        let plan = self.plan.creator(op.meta.id.as_str())?;
        if plan.id_member.is_some() {
            return None;
        }
        let list = plan.list.as_ref()?;
        let project = bindings.get("project")?;
        Some(list::read(target, list, project).await)
    }

    /// Before a creating request whose resource the contract can delete: records it as sent, with
    /// the parent's items at the run's first create there (read once), so a run killed before the
    /// answer can still be finished. Returns the request's `send` number.
    pub async fn sending(
        &self,
        case: &str,
        op: &Operation,
        bindings: &BTreeMap<String, String>,
        window: Option<&Result<Vec<Item>, String>>,
        target: &Target<'_>,
    ) -> Option<u64> {
        let plan = self.plan.creator(op.meta.id.as_str())?;
        plan.deleter.as_ref()?;
        let project = bindings.get("project").cloned().unwrap_or_default();
        let parent = plan.list.as_ref().and_then(|l| l.parent_in(bindings));
        let before = match &plan.list {
            Some(list) => {
                let key = (list.op.meta.id.to_string(), project.clone(), parent.clone());
                let known = self.inner.lock().unwrap_or_else(PoisonError::into_inner).baselines.get(&key).cloned();
                // The window read just before an id-less create serves as the baseline: no second read.
                let read = match (known, window) {
                    (Some(ids), _) => Ok(ids),
                    (None, Some(Ok(items))) => Ok(ids_on(items.clone(), parent.as_deref())),
                    (None, _) => list::read(target, list, &project).await.map(|items| ids_on(items, parent.as_deref())),
                };
                read.ok().map(|ids| {
                    let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
                    inner.baselines.entry(key).or_insert(ids).clone()
                })
            }
            None => None,
        };
        let draft = {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            inner.sends += 1;
            let send = inner.sends;
            let draft = Created { before, send: Some(send), ..Created::by(plan, case, project, bindings) };
            inner.unanswered.insert(send, draft.clone());
            draft
        };
        let send = draft.send;
        self.append(&Entry::Sending(Box::new(draft)));
        send
    }

    /// Records a step's answer if it created something. `before` is the window read before it; `send`
    /// what [`Self::sending`] numbered the request (an answer settles it; no answer leaves it open).
    pub async fn observe(
        &self,
        case: &str,
        op: &Operation,
        ex: &StepExchange,
        before: Option<Result<Vec<Item>, String>>,
        send: Option<u64>,
        target: &Target<'_>,
    ) {
        let answered = ex.received().is_some();
        if let Some(send) = send.filter(|_| answered) {
            self.inner.lock().unwrap_or_else(PoisonError::into_inner).unanswered.remove(&send);
        }
        let created_nothing = |this: &Self| {
            if let Some(send) = send.filter(|_| answered) {
                this.append(&Entry::Answered { send, how: None });
            }
        };
        let Some(rx) = ex.received().filter(|r| (200..300).contains(&r.status)) else {
            created_nothing(self);
            return;
        };
        if let Some(deleted) = self.plan.by_deleter(op.meta.id.as_str()) {
            self.removed_by_case(case, op, deleted, ex, rx.status);
            return;
        }
        let Some(plan) = self.plan.creator(op.meta.id.as_str()) else {
            created_nothing(self);
            return;
        };
        let body = rx.json();
        let text = |m: &str| body.and_then(|b| b.get(m)).and_then(Value::as_str).map(str::to_owned);
        let answer_ids: BTreeMap<String, String> = body
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.as_str() == "id" || k.ends_with("_id") || k.ends_with("Id"))
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let project = ex.bindings.get("project").cloned().unwrap_or_default();
        let parent = plan.list.as_ref().and_then(|l| l.parent_in(&ex.bindings));
        let (id, unidentified, before) = match &plan.id_member {
            Some(member) => match text(member) {
                Some(id) if !id.trim().is_empty() => (Some(id), None, None),
                _ => (None, Some(format!("the answer holds no {member}")), None),
            },
            None if plan.deleter.is_none() => (None, None, None),
            None => match before {
                Some(Ok(items)) => {
                    let ids = ids_on(items, parent.as_deref());
                    (None, Some("being told apart through the list".to_owned()), Some(ids))
                }
                Some(Err(e)) => (None, Some(format!("the list before the request could not be read: {e}")), None),
                None => (None, Some("no list was read before the request".to_owned()), None),
            },
        };
        let created = {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let created = Created {
                seq: inner.next_seq(),
                id,
                unidentified,
                answer_ids,
                before,
                send,
                ..Created::by(plan, case, project, &ex.bindings)
            };
            inner.created.push(created.clone());
            created
        };
        // Written before the list is read again: a kill in between still leaves the creation on record.
        self.append(&Entry::Created(Box::new(created.clone())));
        target.report(&Progress::Created {
            kind: created.kind.clone(),
            id: created.id.clone(),
            operation: created.creator.clone(),
        });
        if created.before.is_some() {
            self.identify(&created, target).await;
        }
    }

    /// The creating requests of the run that never got an answer (a kill, a timeout): each is asked of
    /// the list that shows what its operation creates. Nothing new on the parent since the run's first
    /// create there: it was not processed, and is settled so. As many new items, unclaimed by any
    /// record of the journal, as requests left open on that parent: they are the run's, and recorded
    /// with their ids. Anything else, or no list to ask: recorded as possible leftovers, never
    /// deleted. Returns the records added.
    pub async fn resolve_unanswered(&self, target: &Target<'_>) -> Vec<Created> {
        let open: Vec<Created> =
            self.inner.lock().unwrap_or_else(PoisonError::into_inner).unanswered.values().cloned().collect();
        let mut groups: BTreeMap<(Option<String>, String, Option<String>), Vec<Created>> = BTreeMap::new();
        for c in open {
            let parent =
                self.plan.creator(&c.creator).and_then(|p| p.list.as_ref()).and_then(|l| l.parent_in(&c.bindings));
            groups
                .entry((c.list.clone().filter(|_| c.before.is_some()), c.project.clone(), parent))
                .or_default()
                .push(c);
        }
        let mut added = Vec::new();
        for ((_, project, parent), drafts) in groups {
            let plan = drafts.first().and_then(|c| self.plan.creator(&c.creator));
            let list = plan.and_then(|p| p.list.as_ref()).filter(|_| drafts.iter().all(|c| c.before.is_some()));
            let Some(list) = list else {
                let why = "the run stopped before the target answered, and no list shows whether it was created";
                added.extend(drafts.into_iter().map(|c| self.adopt(c, None, Some(why.to_owned()))));
                continue;
            };
            let before: Vec<String> = drafts.iter().filter_map(|c| c.before.clone()).flatten().collect();
            let known: Vec<String> = self.created().into_iter().filter_map(|x| x.id).collect();
            match list::read(target, list, &project).await {
                Err(e) => {
                    let why = format!("the run stopped before the target answered; the list could not be read: {e}");
                    added.extend(drafts.into_iter().map(|c| self.adopt(c, None, Some(why.clone()))));
                }
                Ok(after) => {
                    let new = unclaimed(after, parent.as_deref(), &before, &known);
                    if new.len() <= drafts.len() {
                        // No more new items than requests left open: each is one of them (which request
                        // made which does not matter to deleting it); the requests left over were
                        // never processed (all of them where nothing is new).
                        let processed = new.len();
                        let mut drafts = drafts.into_iter();
                        added.extend(
                            drafts.by_ref().take(processed).zip(new).map(|(c, id)| self.adopt(c, Some(id), None)),
                        );
                        let rest: Vec<Created> = drafts.collect();
                        let how = format!(
                            "never processed: {} shows {processed} new item(s) on its parent for {} request(s) left open",
                            list.op.meta.id,
                            processed + rest.len()
                        );
                        self.settle_unprocessed(&rest, &how);
                    } else {
                        let why = format!(
                            "the run stopped before the target answered; {} shows {} new item(s) for {} such request(s)",
                            list.op.meta.id,
                            new.len(),
                            drafts.len()
                        );
                        added.extend(drafts.into_iter().map(|c| self.adopt(c, None, Some(why.clone()))));
                    }
                }
            }
        }
        added
    }

    /// Records requests left open as never processed (`how` says how the list showed it).
    fn settle_unprocessed(&self, drafts: &[Created], how: &str) {
        for send in drafts.iter().filter_map(|c| c.send) {
            self.inner.lock().unwrap_or_else(PoisonError::into_inner).unanswered.remove(&send);
            self.append(&Entry::Answered { send, how: Some(how.to_owned()) });
        }
    }

    /// Turns an unanswered request into a record of the journal (with its id, or why it is unknown).
    fn adopt(&self, mut c: Created, id: Option<String>, unidentified: Option<String>) -> Created {
        {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(send) = c.send {
                inner.unanswered.remove(&send);
            }
            c.seq = inner.next_seq();
            c.id = id;
            c.unidentified = unidentified;
            c.before = None;
            c.at = now();
            inner.created.push(c.clone());
        }
        self.append(&Entry::Created(Box::new(c.clone())));
        c
    }

    /// Tells apart the resources of `resources` created by answers that named no id and not yet told
    /// apart (a run killed between its request and the list); returns them updated.
    pub async fn reidentify(&self, resources: &[Created], target: &Target<'_>) -> Vec<Created> {
        let mut out = Vec::with_capacity(resources.len());
        for c in resources {
            if c.id.is_none() && c.before.is_some() {
                self.identify(c, target).await;
                let now = self.created().into_iter().find(|x| x.seq == c.seq);
                out.push(now.unwrap_or_else(|| c.clone()));
            } else {
                out.push(c.clone());
            }
        }
        out
    }

    /// Marks a resource of the journal a case deleted (same id, same project).
    fn removed_by_case(&self, case: &str, op: &Operation, plan: &CreatorPlan, ex: &StepExchange, status: u16) {
        let Some(role) = plan.role else { return };
        let Some(id) = ex.bindings.get(crate::generate::role_name(role)) else { return };
        let project = ex.bindings.get("project");
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(seq) =
            inner.created.iter().find(|c| c.id.as_ref() == Some(id) && Some(&c.project) == project).map(|c| c.seq)
        else {
            return;
        };
        let removal = Removal { case: case.to_owned(), operation: op.meta.id.to_string(), status };
        inner.removed.insert(seq, removal);
        drop(inner);
        self.append(&Entry::Removed { seq, case: case.to_owned(), operation: op.meta.id.to_string(), status });
    }

    /// The id of a backup an id-less answer created: the one item of the same parent the list shows
    /// now and did not before, that no other record of the journal claims. Anything else is ambiguous
    /// and never guessed. Records the outcome.
    async fn identify(&self, c: &Created, target: &Target<'_>) {
        let Some(plan) = self.plan.creator(&c.creator) else { return };
        let (Some(list), Some(before)) = (&plan.list, &c.before) else { return };
        let parent = list.parent_in(&c.bindings);
        let (id, unidentified) = match list::read(target, list, &c.project).await {
            Err(e) => (None, Some(format!("the list could not be read to tell it apart: {e}"))),
            Ok(after) => {
                let known: Vec<String> =
                    self.created().into_iter().filter(|x| x.seq != c.seq).filter_map(|x| x.id).collect();
                match unclaimed(after, parent.as_deref(), before, &known).as_slice() {
                    [one] => (Some(one.clone()), None),
                    [] => (None, Some(format!("{} showed no new item on its parent", list.op.meta.id))),
                    many => (
                        None,
                        Some(format!(
                            "ambiguous: {} showed {} new items on the same parent (another run's?)",
                            list.op.meta.id,
                            many.len()
                        )),
                    ),
                }
            }
        };
        if let Some(r) =
            self.inner.lock().unwrap_or_else(PoisonError::into_inner).created.iter_mut().find(|x| x.seq == c.seq)
        {
            r.id.clone_from(&id);
            r.unidentified.clone_from(&unidentified);
        }
        self.append(&Entry::Identified { seq: c.seq, id, unidentified });
    }
}

/// Reads a journal file.
pub fn read(path: &Path) -> Result<Contents, CleanupError> {
    let file = File::open(path).map_err(|e| CleanupError::Journal { path: path.to_owned(), message: e.to_string() })?;
    let mut contents = Contents::default();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| CleanupError::Journal { path: path.to_owned(), message: e.to_string() })?;
        if line.trim().is_empty() {
            continue;
        }
        // A line cut by a kill mid-write is the last one: stop there, keep what came before.
        let entry: Entry = match serde_json::from_str(&line) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(journal = %path.display(), line = n + 1, error = %e, "unreadable journal line skipped");
                continue;
            }
        };
        match entry {
            Entry::Opened { profile, .. } => contents.profile = profile,
            Entry::Created(c) => {
                if let Some(send) = c.send {
                    contents.unanswered.remove(&send);
                }
                contents.created.push(*c);
            }
            Entry::Sending(c) => {
                if let Some(send) = c.send {
                    contents.unanswered.insert(send, *c);
                }
            }
            Entry::Answered { send, .. } => {
                contents.unanswered.remove(&send);
            }
            Entry::Identified { seq, id, unidentified } => {
                if let Some(c) = contents.created.iter_mut().find(|c| c.seq == seq) {
                    c.id = id;
                    c.unidentified = unidentified;
                }
            }
            Entry::Removed { seq, case, operation, status } => {
                contents.removed.insert(seq, Removal { case, operation, status });
            }
            Entry::Settled { seq, state } => {
                contents.settled.insert(seq, state);
            }
        }
    }
    if contents.profile.is_empty() && contents.created.is_empty() && contents.unanswered.is_empty() {
        return Err(CleanupError::Journal { path: path.to_owned(), message: "not a hwconform journal".into() });
    }
    Ok(contents)
}
