//! Work that waits for the next paint: what a large input costs to derive (its annotation, its
//! JSON) is computed after the frame that shows its bytes, so a pasted megabyte appears at once
//! and its reading follows. Small inputs (typing, the examples) are derived in the render, with
//! no moment of a half-drawn page.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::request_animation_frame;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

/// Inputs of more bytes than this are derived after the next paint.
pub const LARGE_INPUT: usize = 64 * 1024;

/// When [`use_after_paint`] derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// In the render.
    Now,
    /// After the next paint.
    AfterPaint,
    /// After the next paint once this is no longer asked: something else derives first.
    Held,
}

impl When {
    /// `AfterPaint` for more than [`LARGE_INPUT`] bytes, else `Now`.
    pub fn for_size(bytes: usize) -> When {
        if bytes > LARGE_INPUT { When::AfterPaint } else { When::Now }
    }
}

/// `derive(&from)`, in the render or after the next paint ([`When`]: `None` until then; the page
/// renders again when it is done). Kept while `from` stays equal; a new `from` drops the old value
/// and cancels a pending derivation.
#[hook]
pub fn use_after_paint<D, T>(from: D, when: When, derive: fn(&D) -> T) -> Option<Rc<T>>
where
    D: PartialEq + Clone + 'static,
    T: 'static,
{
    let last = use_mut_ref(|| None::<(D, Rc<T>)>);
    let redraw = use_force_update();
    let kept = last.borrow().as_ref().filter(|(was, _)| *was == from).map(|(_, value)| value.clone());
    let value = kept.or_else(|| {
        // What was derived from an older input is no longer shown: free it now, not when the
        // new value comes (a 16 MiB file's annotation is hundreds of megabytes).
        *last.borrow_mut() = None;
        (when == When::Now).then(|| {
            let value = Rc::new(derive(&from));
            *last.borrow_mut() = Some((from.clone(), value.clone()));
            value
        })
    });
    let start = value.is_none() && when != When::Held;
    use_effect_with((from, start), move |(from, start)| {
        // A frame callback runs just before the paint; a timeout it sets runs after it.
        let pending = start.then(|| {
            let from = from.clone();
            let timeout = Rc::new(RefCell::new(None::<Timeout>));
            let frame = {
                let timeout = timeout.clone();
                request_animation_frame(move |_| {
                    *timeout.borrow_mut() = Some(Timeout::new(0, move || {
                        let value = Rc::new(derive(&from));
                        *last.borrow_mut() = Some((from, value));
                        redraw.force_update();
                    }));
                })
            };
            (frame, timeout)
        });
        move || drop(pending)
    });
    value
}
