//! The app's panic hook: a panic must not leave a dead page.

/// A panic must not leave a dead page: show what happened in a banner and log it. Set through
/// Yew, which otherwise replaces any hook set before its first render with its own (a console
/// message only).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = format!("wirelens hit a bug and stopped: {info}. Reload the page to start again.");
        web_sys::console::error_1(&message.clone().into());
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let (Ok(banner), Some(body)) = (document.create_element("div"), document.body()) else { return };
        banner.set_class_name("panic-banner");
        banner.set_attribute("role", "alert").ok();
        banner.set_text_content(Some(&message));
        body.prepend_with_node_1(&banner).ok();
    }));
}
