//! One component per file: props in, callbacks out.

pub mod explain_panel;
pub mod hex_view;
