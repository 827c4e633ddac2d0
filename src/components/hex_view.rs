//! The annotated hex: rows of byte cells coloured by role; hovering or
//! focusing a byte selects its span.

use std::rc::Rc;

use wirelens_core::hexview;
use wirelens_core::wire::{Annotation, NodeId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub annotation: Rc<Annotation>,
    pub selected: Option<NodeId>,
    pub onselect: Callback<NodeId>,
}

const WIDTH: usize = 16;

#[component]
pub fn HexView(props: &Props) -> Html {
    let a = &props.annotation;
    let record = props.selected.and_then(|leaf| a.field_of(leaf)).map(|(id, _)| id);
    let rows = hexview::rows(a, WIDTH);
    html! {
        <div class="hex" role="grid" aria-label="annotated bytes">
            { for rows.iter().map(|row| html! {
                <div class="row" role="row">
                    <span class="offset">{ format!("{:04X}", row.offset) }</span>
                    { for row.cells.iter().map(|cell| {
                        let leaf = cell.leaf;
                        let in_record = record.is_some_and(|r| a.ancestors(leaf).any(|x| x == r));
                        let class = classes!(
                            "b",
                            cell.class,
                            format!("d{}", cell.depth.min(4)),
                            cell.starts_leaf.then_some("start"),
                            (props.selected == Some(leaf)).then_some("sel"),
                            in_record.then_some("rec"),
                        );
                        let onselect = props.onselect.clone();
                        let onfocus = props.onselect.clone();
                        html! {
                            <span {class} tabindex="0" role="gridcell"
                                title={format!("byte {}", cell.offset)}
                                onmouseover={Callback::from(move |_| onselect.emit(leaf))}
                                onfocus={Callback::from(move |_| onfocus.emit(leaf))}>
                                { format!("{:02X}", cell.byte) }
                            </span>
                        }
                    }) }
                </div>
            }) }
        </div>
    }
}
