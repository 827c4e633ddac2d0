//! The benchmark tab's state: what to run, the run in flight and what came back. Pure, no effects.
//!
//! [`BenchAction::Run`] leaves a [`Request`] for `bench_tab.rs`, which starts the benchmark
//! worker, hands it the request and feeds back the worker's [`Event`]s tagged with the run's id
//! (so a terminated run's late messages are ignored). Cancel ends the run here; the effect's
//! cleanup terminates the worker.

use std::rc::Rc;

use wirelens_core::bench_report::{
    BUILTIN, CUSTOM, CodecId, Custom, Environment, Event, Length, Progress, Report, Request,
};
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchState {
    /// Selected workload ids, in `BUILTIN` order, `CUSTOM` last.
    pub workloads: Vec<String>,
    pub codecs: Vec<CodecId>,
    pub length: Length,
    /// The current or the last run.
    pub run: Option<RunView>,
    /// What the worker said about itself when it last started.
    pub env: Option<Environment>,
    /// The workload the bar chart and the sentences are about.
    pub focus: Option<String>,
    /// A problem with the form, shown beside Run.
    pub form_error: Option<String>,
    next_id: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub id: u64,
    pub request: Request,
    pub progress: Option<Progress>,
    pub status: RunStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// Waiting for the worker to load, then running.
    Running,
    Done(Rc<Report>),
    Failed(String),
    Cancelled,
}

pub enum BenchAction {
    ToggleWorkload(String),
    ToggleCodec(CodecId),
    SetLength(Length),
    /// Start a run; the playground's current message comes along when it has one.
    Run(Option<Custom>),
    Cancel,
    Focus(String),
    /// What the worker of run `id` reported.
    Event(u64, Event),
}

impl Default for BenchState {
    fn default() -> BenchState {
        BenchState {
            workloads: ["user", "page-1", "page-10", "page-100", "page-1000", "numbers", "strings"]
                .map(String::from)
                .to_vec(),
            codecs: CodecId::ALL.to_vec(),
            length: Length::Full,
            run: None,
            env: None,
            focus: None,
            form_error: None,
            next_id: 1,
        }
    }
}

impl BenchState {
    /// The run the worker should be running now, if any: bench_tab.rs keys its effect on the id.
    pub fn running(&self) -> Option<&RunView> {
        self.run.as_ref().filter(|r| r.status == RunStatus::Running)
    }

    pub fn report(&self) -> Option<&Rc<Report>> {
        match &self.run.as_ref()?.status {
            RunStatus::Done(report) => Some(report),
            _ => None,
        }
    }

    /// The workload in focus: the chosen one if it ran, else the first that ran.
    pub fn focused(&self) -> Option<String> {
        let report = self.report()?;
        let ids = report.workloads();
        self.focus.as_deref().filter(|f| ids.contains(f)).or(ids.first().copied()).map(String::from)
    }

    /// The environment described for the Markdown: the worker's, with the plan of the run.
    pub fn environment(&self) -> Environment {
        let mut env = self.env.clone().unwrap_or_default();
        if let Some(run) = &self.run {
            env.plan = format!("{:?}", run.request.length).to_lowercase();
        }
        env
    }

    fn start(&mut self, custom: Option<Custom>) {
        let mut workloads = self.workloads.clone();
        if custom.is_none() {
            workloads.retain(|w| w != CUSTOM);
        }
        if workloads.is_empty() || self.codecs.is_empty() {
            self.form_error = Some(if self.codecs.is_empty() {
                "choose at least one codec".into()
            } else if self.workloads.iter().any(|w| w == CUSTOM) {
                "your message has no bytes to measure: encode one in the message → bytes tab first".into()
            } else {
                "choose at least one workload".into()
            });
            return;
        }
        self.form_error = None;
        let id = self.next_id;
        self.next_id += 1;
        let request = Request { workloads, codecs: self.codecs.clone(), length: self.length, custom };
        self.run = Some(RunView { id, request, progress: None, status: RunStatus::Running });
    }
}

impl Reducible for BenchState {
    type Action = BenchAction;

    fn reduce(self: Rc<Self>, action: BenchAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            BenchAction::ToggleWorkload(id) => {
                if s.workloads.contains(&id) {
                    s.workloads.retain(|w| *w != id);
                } else {
                    s.workloads.push(id);
                    let order = |w: &String| BUILTIN.iter().position(|b| b.id == w).unwrap_or(BUILTIN.len());
                    s.workloads.sort_by_key(order);
                }
            }
            BenchAction::ToggleCodec(c) => {
                if s.codecs.contains(&c) {
                    s.codecs.retain(|x| *x != c);
                } else {
                    s.codecs.push(c);
                    s.codecs.sort();
                }
            }
            BenchAction::SetLength(length) => s.length = length,
            BenchAction::Run(custom) => {
                if s.running().is_some() {
                    return self;
                }
                s.start(custom);
            }
            BenchAction::Cancel => match &mut s.run {
                Some(run) if run.status == RunStatus::Running => run.status = RunStatus::Cancelled,
                _ => return self,
            },
            BenchAction::Focus(id) => s.focus = Some(id),
            BenchAction::Event(id, event) => {
                let Some(run) = s.run.as_mut().filter(|r| r.id == id && r.status == RunStatus::Running) else {
                    return self;
                };
                match event {
                    Event::Ready(env) => s.env = Some(env),
                    Event::Progress(p) => run.progress = Some(p),
                    Event::Done(report) => run.status = RunStatus::Done(Rc::new(report)),
                    Event::Failed(message) => run.status = RunStatus::Failed(message),
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use wirelens_core::bench_report::{Direction, Row, Stat};

    use super::*;

    fn reduce(state: BenchState, actions: Vec<BenchAction>) -> BenchState {
        let mut s = Rc::new(state);
        for a in actions {
            s = s.reduce(a);
        }
        (*s).clone()
    }

    fn report() -> Report {
        let stat =
            Stat { median_ns: 1.0, p5_ns: 1.0, p95_ns: 1.0, q1_ns: 1.0, q3_ns: 1.0, batch: 1, samples: 1, mb_s: 1.0 };
        let row = |w: &str| Row {
            workload: w.into(),
            users: None,
            codec: CodecId::Prost,
            direction: Direction::Encode,
            bytes: 1,
            stat: stat.clone(),
            vs_prost: Some(1.0),
        };
        Report { rows: vec![row("user"), row("numbers")], sizes: vec![] }
    }

    #[test]
    fn run_sends_the_selection_and_the_workers_events_fill_the_run() {
        let s = reduce(
            BenchState::default(),
            vec![
                BenchAction::ToggleWorkload("page-1000".into()),
                BenchAction::ToggleWorkload("page-1".into()),
                BenchAction::ToggleCodec(CodecId::BrowserJson),
                BenchAction::SetLength(Length::Quick),
                BenchAction::Run(None),
            ],
        );
        let run = s.running().expect("a run starts");
        assert_eq!(run.request.workloads, ["user", "page-10", "page-100", "numbers", "strings"]);
        assert_eq!(run.request.codecs, [CodecId::Prost, CodecId::ProstReflect, CodecId::SerdeJson]);
        assert_eq!(run.request.length, Length::Quick);
        let id = run.id;
        let env = Environment {
            machine: "Chrome".into(),
            threads: 2,
            resolution_ns: 5000.0,
            isolated: Some(true),
            ..Environment::default()
        };
        let progress = Progress { done: 3, total: 30, label: "decode the reference user with prost".into() };
        let s = reduce(
            s,
            vec![
                BenchAction::Event(id, Event::Ready(env.clone())),
                BenchAction::Event(id, Event::Progress(progress.clone())),
                BenchAction::Run(None),
            ],
        );
        assert_eq!(s.run.as_ref().unwrap().id, id, "Run while running changes nothing");
        assert_eq!(s.run.as_ref().unwrap().progress, Some(progress));
        assert_eq!(s.environment().plan, "quick");
        assert_eq!(s.environment().machine, "Chrome");
        let s = reduce(s, vec![BenchAction::Event(id, Event::Done(report()))]);
        assert!(s.running().is_none());
        assert_eq!(s.focused().as_deref(), Some("user"));
        let s = reduce(s, vec![BenchAction::Focus("numbers".into())]);
        assert_eq!(s.focused().as_deref(), Some("numbers"));
        let s = reduce(s, vec![BenchAction::Focus("strings".into())]);
        assert_eq!(s.focused().as_deref(), Some("user"), "a workload that did not run is not in focus");
    }

    #[test]
    fn cancel_ends_the_run_and_late_events_are_ignored() {
        let s = reduce(BenchState::default(), vec![BenchAction::Run(None)]);
        let id = s.run.as_ref().unwrap().id;
        let s = reduce(s, vec![BenchAction::Cancel, BenchAction::Event(id, Event::Done(report()))]);
        assert_eq!(s.run.as_ref().unwrap().status, RunStatus::Cancelled);
        let s = reduce(s, vec![BenchAction::Run(None)]);
        let second = s.run.as_ref().unwrap().id;
        assert_ne!(second, id);
        let s = reduce(s, vec![BenchAction::Event(id, Event::Failed("old".into()))]);
        assert_eq!(s.run.as_ref().unwrap().status, RunStatus::Running, "the old run's worker is not this run's");
        let s = reduce(s, vec![BenchAction::Event(second, Event::Failed("no clock".into()))]);
        assert_eq!(s.run.as_ref().unwrap().status, RunStatus::Failed("no clock".into()));
    }

    #[test]
    fn the_users_message_runs_only_with_its_bytes_and_an_empty_form_is_refused() {
        let custom = Custom { files: vec![], type_name: "a.B".into(), message: "{}".into(), notation: "json".into() };
        let s = reduce(
            BenchState::default(),
            vec![BenchAction::ToggleWorkload(CUSTOM.into()), BenchAction::Run(Some(custom.clone()))],
        );
        assert_eq!(s.running().unwrap().request.workloads.last().map(String::as_str), Some(CUSTOM));
        assert_eq!(s.running().unwrap().request.custom, Some(custom));

        let only_custom: Vec<BenchAction> =
            BenchState::default().workloads.into_iter().map(BenchAction::ToggleWorkload).collect();
        let s = reduce(BenchState::default(), only_custom);
        let s = reduce(s, vec![BenchAction::ToggleWorkload(CUSTOM.into()), BenchAction::Run(None)]);
        assert!(s.run.is_none());
        assert!(s.form_error.as_deref().unwrap().contains("no bytes"), "{:?}", s.form_error);
        let no_codecs: Vec<BenchAction> = CodecId::ALL.into_iter().map(BenchAction::ToggleCodec).collect();
        let s = reduce(BenchState::default(), no_codecs);
        let s = reduce(s, vec![BenchAction::Run(None)]);
        assert_eq!(s.form_error.as_deref(), Some("choose at least one codec"));
    }
}
