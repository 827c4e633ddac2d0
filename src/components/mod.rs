//! One component per file: props in, callbacks out.

pub mod bench_chart;
pub mod bench_panel;
pub mod bytes_pane;
pub mod compare_pane;
pub mod editor;
pub mod explain_panel;
pub mod export_panel;
pub mod field_tree;
pub mod grpc_panel;
pub mod hex_view;
pub mod json_view;
pub mod learn_exercise;
pub mod learn_panel;
pub mod message_pane;
pub mod recent;
pub mod schema_pane;
