//! The exact element depth of a page, measured by the HTML parser itself.
//!
//! Guessing depth from tags is not enough: html5ever (like every browser) ignores the slash of
//! `<div/>`, drops stray end tags, nests `<rb>` outside `<ruby>`, inserts implied `<tbody>`s
//! and re-opens formatting elements (`<b>`, `<i>`…) inside new blocks. Only the tree builder
//! knows what it builds. So this module runs html5ever's tree builder into a sink that keeps
//! only the tree's shape (parents and children, no text or attributes) and:
//!
//! * feeds the page in small chunks, stopping as soon as anything is inserted deeper than the
//!   limit: the parser's scope checks cost O(depth) per tag, so a deep page would otherwise
//!   take quadratic time before it is refused;
//! * walks the finished tree without recursion for its final depth, which adoption-agency
//!   moves can make deeper than any insertion was.
//!
//! A page that passes is at most `limit` deep in the very tree the extractor will build, so
//! the extractor's recursion is bounded and its parse is linear in the input.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, Attribute, QualName};

/// Bytes fed to the parser between two depth checks. A chunk can hold at most ~1,400 start
/// tags, so the parser never works more than that past the limit.
const CHUNK: usize = 4096;

/// The deepest node of `html`'s parsed tree (the document is depth 0, `<html>` 1), or `None`
/// as soon as it exceeds `limit`.
///
/// ```
/// # use unspin_html::parsed_depth;
/// // html > body > div: the slash of a non-void element is ignored.
/// assert_eq!(parsed_depth("<div/>x", 100), Some(4)); // the text is one deeper
/// assert_eq!(parsed_depth(&"<div/>".repeat(200), 100), None);
/// ```
pub fn parsed_depth(html: &str, limit: usize) -> Option<usize> {
    let sink = ShapeSink::new(limit);
    let mut parser = html5ever::parse_document(sink, Default::default());
    let mut rest = html;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        parser.process(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        if parser.tokenizer.sink.sink.exceeded() {
            return None;
        }
    }
    parser.finish().final_depth(limit)
}

/// A node handle: an index into the sink's links, plus the element name html5ever asks for.
#[derive(Clone, Debug)]
struct Node(Rc<(usize, QualName)>);

#[derive(Default)]
struct Links {
    parent: Option<usize>,
    children: Vec<usize>,
}

struct ShapeSink {
    limit: usize,
    links: RefCell<Vec<Links>>,
    /// Deepest insertion seen so far (capped walks: never more than limit + 1 steps).
    deepest: RefCell<usize>,
}

impl ShapeSink {
    fn new(limit: usize) -> Self {
        ShapeSink {
            limit,
            links: RefCell::new(vec![Links::default()]),
            deepest: RefCell::new(0),
        }
    }

    fn exceeded(&self) -> bool {
        *self.deepest.borrow() > self.limit
    }

    fn new_node(&self, name: QualName) -> Node {
        let mut links = self.links.borrow_mut();
        links.push(Links::default());
        Node(Rc::new((links.len() - 1, name)))
    }

    /// Depth of node `i`, walking at most `limit + 1` parents.
    fn depth(&self, mut i: usize) -> usize {
        let links = self.links.borrow();
        let mut d = 0;
        while let Some(p) = links[i].parent {
            d += 1;
            i = p;
            if d > self.limit {
                break;
            }
        }
        d
    }

    fn detach(&self, child: usize) {
        let mut links = self.links.borrow_mut();
        if let Some(p) = links[child].parent.take() {
            links[p].children.retain(|&c| c != child);
        }
    }

    fn attach(&self, parent: usize, child: NodeOrText<Node>, before: Option<usize>) {
        // Text is a leaf one below its parent; elements and comments are real children.
        let child = match child {
            NodeOrText::AppendNode(n) => Some(n.0 .0),
            NodeOrText::AppendText(_) => None,
        };
        if let Some(c) = child {
            self.detach(c);
            let mut links = self.links.borrow_mut();
            links[c].parent = Some(parent);
            let kids = &mut links[parent].children;
            match before.and_then(|b| kids.iter().position(|&k| k == b)) {
                Some(at) => kids.insert(at, c),
                None => kids.push(c),
            }
        }
        let d = self.depth(parent) + 1;
        let mut deepest = self.deepest.borrow_mut();
        *deepest = (*deepest).max(d);
    }

    /// The finished tree's depth, walked without recursion; `None` past `limit`.
    fn final_depth(&self, limit: usize) -> Option<usize> {
        if self.exceeded() {
            return None;
        }
        let links = self.links.borrow();
        let mut max = *self.deepest.borrow();
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, d)) = stack.pop() {
            max = max.max(d);
            if max > limit {
                return None;
            }
            stack.extend(links[i].children.iter().map(|&c| (c, d + 1)));
        }
        Some(max)
    }
}

fn no_name() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

impl TreeSink for ShapeSink {
    type Handle = Node;
    type Output = Self;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Node {
        Node(Rc::new((0, no_name())))
    }

    fn elem_name<'a>(&'a self, target: &'a Node) -> &'a QualName {
        &target.0 .1
    }

    fn create_element(&self, name: QualName, _: Vec<Attribute>, _: ElementFlags) -> Node {
        self.new_node(name)
    }

    fn create_comment(&self, _text: StrTendril) -> Node {
        self.new_node(no_name())
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Node {
        self.new_node(no_name())
    }

    fn append(&self, parent: &Node, child: NodeOrText<Node>) {
        self.attach(parent.0 .0, child, None);
    }

    fn append_based_on_parent_node(
        &self,
        element: &Node,
        prev_element: &Node,
        child: NodeOrText<Node>,
    ) {
        let parent = self.links.borrow()[element.0 .0].parent;
        match parent {
            Some(p) => self.attach(p, child, Some(element.0 .0)),
            None => self.attach(prev_element.0 .0, child, None),
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Node) -> Node {
        // Template contents live in their own fragment; counting them as the template's
        // children over-estimates depth, which is the safe side.
        target.clone()
    }

    fn same_node(&self, x: &Node, y: &Node) -> bool {
        x.0 .0 == y.0 .0
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Node, new_node: NodeOrText<Node>) {
        let parent = self.links.borrow()[sibling.0 .0].parent;
        if let Some(p) = parent {
            self.attach(p, new_node, Some(sibling.0 .0));
        }
    }

    fn add_attrs_if_missing(&self, _target: &Node, _attrs: Vec<Attribute>) {}

    fn remove_from_parent(&self, target: &Node) {
        self.detach(target.0 .0);
    }

    fn reparent_children(&self, node: &Node, new_parent: &Node) {
        let kids = std::mem::take(&mut self.links.borrow_mut()[node.0 .0].children);
        for &k in &kids {
            self.links.borrow_mut()[k].parent = Some(new_parent.0 .0);
        }
        self.links.borrow_mut()[new_parent.0 .0]
            .children
            .extend_from_slice(&kids);
        // The moved subtrees are now deeper by the new parent's depth; the final walk
        // measures them exactly, and the insertion check below keeps parsing bounded.
        let d = self.depth(new_parent.0 .0) + 1;
        let mut deepest = self.deepest.borrow_mut();
        *deepest = (*deepest).max(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> String {
        format!("<html><body>{body}<p>x</p></body></html>")
    }

    #[test]
    fn plain_nesting_is_counted_exactly() {
        // document > html > body > div×3 > text
        assert_eq!(parsed_depth("<div><div><div>x", 100), Some(6));
        assert_eq!(parsed_depth("", 100), Some(2)); // implied html > head/body
    }

    #[test]
    fn self_closing_non_void_elements_nest() {
        assert_eq!(parsed_depth(&page(&"<div/>".repeat(50)), 1000), Some(54));
        assert_eq!(parsed_depth(&page(&"<div/>".repeat(2000)), 1000), None);
        // void elements do not
        assert_eq!(parsed_depth(&page(&"<br/>".repeat(2000)), 1000), Some(4));
    }

    #[test]
    fn stray_end_tags_close_nothing() {
        let html = page(&"<div></span>".repeat(2000));
        assert_eq!(parsed_depth(&html, 1000), None);
        let balanced = page(&"<div></div>".repeat(2000));
        assert!(parsed_depth(&balanced, 1000).unwrap() < 10);
    }

    #[test]
    fn ruby_parts_nest_outside_ruby() {
        assert_eq!(parsed_depth(&page(&"<rb>".repeat(2000)), 1000), None);
        assert_eq!(parsed_depth(&page(&"<rt>a".repeat(2000)), 1000), None);
        let inside = format!("<ruby>{}</ruby>", "<rb>a<rt>b".repeat(2000));
        assert!(parsed_depth(&page(&inside), 1000).unwrap() < 10);
    }

    #[test]
    fn implied_table_elements_count() {
        // table > tbody (implied) > tr > td, per level
        let nested = "<table><tr><td>".repeat(300);
        assert_eq!(parsed_depth(&page(&nested), 1000), None);
        let d = parsed_depth(&page(&"<table><tr><td>".repeat(100)), 1000).unwrap();
        assert!(d >= 400, "{d}");
    }

    #[test]
    fn reconstructed_formatting_elements_count() {
        // Each <p> closes nothing, but the open <b>s are reconstructed inside it.
        let html = page(&format!("{}{}", "<b>".repeat(20), "<div>x".repeat(100)));
        let d = parsed_depth(&html, 10_000).unwrap();
        assert!(d > 100, "{d}");
    }

    #[test]
    fn deep_pages_are_refused() {
        // 20,000 levels took 54 s to parse in full; refusing stops at the limit (the
        // benchmark `examples/deep_html.rs` prints the time).
        assert_eq!(
            parsed_depth(&page(&"<div></span>".repeat(20_000)), 1500),
            None
        );
        assert_eq!(parsed_depth(&page(&"<div/>".repeat(20_000)), 1500), None);
    }
}
