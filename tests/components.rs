//! Component tests: single components rendered into a page of headless Chromium by
//! wasm-bindgen-test (chromedriver from Debian), checked through the DOM.
//! Run by `cargo xtask test`; on the host this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelens::components::explain_panel::{self, ExplainPanel};
use wirelens::components::hex_view::{self, HexView};
use wirelens::later::When;
use wirelens_core::{examples, input, wire};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element to render into, attached to the page.
fn root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Lets Yew's scheduler render.
async fn settle() {
    TimeoutFuture::new(10).await;
}

fn reference() -> Rc<wire::Annotation> {
    let desc = examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
    let bytes = input::parse_bytes("08 2A 12 05 41 6C 69 63 65", input::InputFormat::Hex).unwrap();
    Rc::new(wire::annotate(&bytes, Some(&desc)))
}

#[wasm_bindgen_test]
async fn hex_view_draws_each_byte_with_its_role() {
    let root = root();
    let props = hex_view::Props {
        annotation: reference(),
        selected: Some(4),
        onselect: Callback::noop(),
        stale: false,
        changed: Rc::new(vec![1..2, 3..4]),
        onpick: None,
    };
    yew::Renderer::<HexView>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let cells = root.query_selector_all("[data-offset]").unwrap();
    let mut seen = Vec::new();
    for i in 0..cells.length() {
        let cell: web_sys::Element = wasm_bindgen::JsCast::dyn_into(cells.get(i).unwrap()).unwrap();
        seen.push(format!("{}:{}", cell.text_content().unwrap().trim(), cell.get_attribute("data-role").unwrap()));
    }
    assert_eq!(
        seen,
        ["08:tag", "2A:varint", "12:tag", "05:len", "41:string", "6C:string", "69:string", "63:string", "65:string"]
    );
    // Byte 4 is selected: its whole leaf (the string) is marked, and its record too.
    assert_eq!(root.query_selector_all(".b.sel").unwrap().length(), 5);
    assert_eq!(root.query_selector_all(".b.rec").unwrap().length(), 7);
    assert_eq!(root.query_selector(".b.cursor").unwrap().unwrap().get_attribute("data-offset").unwrap(), "4");
    // The changed ranges are marked, and only they.
    let changed = root.query_selector_all(".b.changed").unwrap();
    let offsets: Vec<String> = (0..changed.length())
        .map(|i| {
            let cell: web_sys::Element = wasm_bindgen::JsCast::dyn_into(changed.get(i).unwrap()).unwrap();
            cell.get_attribute("data-offset").unwrap()
        })
        .collect();
    assert_eq!(offsets, ["1", "3"]);
}

#[wasm_bindgen_test]
async fn hex_view_reports_a_clicked_byte_to_onpick() {
    let root = root();
    let picked = Rc::new(std::cell::Cell::new(None::<usize>));
    let props = hex_view::Props {
        annotation: reference(),
        selected: None,
        onselect: Callback::noop(),
        stale: false,
        changed: Rc::default(),
        onpick: Some({
            let picked = picked.clone();
            Callback::from(move |offset| picked.set(Some(offset)))
        }),
    };
    yew::Renderer::<HexView>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let cell: web_sys::HtmlElement =
        wasm_bindgen::JsCast::dyn_into(root.query_selector("[data-offset=\"5\"]").unwrap().unwrap()).unwrap();
    cell.click();
    assert_eq!(picked.get(), Some(5));
}

#[wasm_bindgen_test]
async fn explain_panel_shows_the_tag_arithmetic() {
    let root = root();
    let props = explain_panel::Props { annotation: reference(), selected: Some(2) };
    yew::Renderer::<ExplainPanel>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("byte 2"), "{text}");
    assert!(text.contains("tag 18 = (field 2 << 3) | wire type 2 (length-delimited) = 0x12 = 0001 0010"), "{text}");
}

thread_local! {
    /// What `Derived` rendered, in order, and what `use_after_paint` derived from.
    static RENDERED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    static DERIVED: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[derive(yew::Properties, PartialEq)]
struct DerivedProps {
    from: u32,
    when: When,
}

/// Shows `from * 2`, derived through `use_after_paint`, and notes every render.
#[yew::function_component]
fn Derived(props: &DerivedProps) -> yew::Html {
    let value = wirelens::later::use_after_paint(props.from, props.when, |&from| {
        DERIVED.with(|d| d.borrow_mut().push(from));
        from * 2
    });
    let shown = value.map_or("pending".to_owned(), |v| v.to_string());
    RENDERED.with(|r| r.borrow_mut().push(shown.clone()));
    yew::html! { <p>{ shown }</p> }
}

fn take<T>(cell: &'static std::thread::LocalKey<std::cell::RefCell<Vec<T>>>) -> Vec<T> {
    cell.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

#[wasm_bindgen_test]
async fn after_paint_derives_small_inputs_in_the_render_and_large_ones_after_a_frame() {
    take(&RENDERED);
    take(&DERIVED);
    // Small: derived in the first render, never shown pending.
    let mut app =
        yew::Renderer::<Derived>::with_root_and_props(root(), DerivedProps { from: 21, when: When::Now }).render();
    settle().await;
    assert_eq!(take(&RENDERED), ["42"]);
    // Large: drawn pending, then derived once after the frame and drawn again.
    app.update(DerivedProps { from: 50, when: When::AfterPaint });
    TimeoutFuture::new(100).await;
    assert_eq!(take(&RENDERED), ["pending", "100"]);
    assert_eq!(take(&DERIVED), [21, 50]);
    // The same input again derives nothing; a new one does.
    app.update(DerivedProps { from: 50, when: When::AfterPaint });
    settle().await;
    app.update(DerivedProps { from: 8, when: When::AfterPaint });
    TimeoutFuture::new(100).await;
    assert_eq!(take(&DERIVED), [8]);
    assert_eq!(take(&RENDERED).last().map(String::as_str), Some("16"));
    // Held: nothing is derived until it is let go.
    app.update(DerivedProps { from: 9, when: When::Held });
    TimeoutFuture::new(100).await;
    assert_eq!(take(&DERIVED), Vec::<u32>::new());
    assert_eq!(take(&RENDERED).last().map(String::as_str), Some("pending"));
    app.update(DerivedProps { from: 9, when: When::AfterPaint });
    TimeoutFuture::new(100).await;
    assert_eq!(take(&DERIVED), [9]);
    assert_eq!(take(&RENDERED).last().map(String::as_str), Some("18"));
}
