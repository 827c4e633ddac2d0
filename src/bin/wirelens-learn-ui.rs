//! Learn mode as a module of its own (`learn_app.rs`, `module.rs`): loaded the first time the
//! tab opens, so the lessons' text and pages stay out of the page's first download.

fn main() {
    wirelens::module::LEARN.mount::<wirelens::learn_app::LearnApp>();
}
