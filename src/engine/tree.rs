//! The fixed reduction tree of a run's float sums, so that a run split into any contiguous
//! parts reduces to exactly the bits of the run in one piece.
//!
//! Floating-point addition is not associative: summing chunk 0, 1, 2, 3 left to right and
//! summing (0 + 1) + (2 + 3) give different last bits. The engine therefore never folds
//! chunks left to right. Chunk `c` is the leaf `(0, c)` of a binary tree over chunk indices;
//! node `(l, i)` covers chunks `i·2^l .. (i+1)·2^l` and its value is the merge of its two
//! children, left then right. A node's value depends only on the chunks it covers, never on
//! who computed it, so a shard that runs chunks `lo..hi` can reduce the nodes that lie inside
//! its range and hand them over; pushing the nodes of all shards in chunk order through the
//! same [`Tree`] forms exactly the nodes a one-piece run forms.
//!
//! [`Tree::push`] merges a node with its left sibling when both are there (a binary counter),
//! so at any time it holds the maximal complete nodes of the chunks pushed so far: at most
//! one per level. [`Tree::finish`] folds what is left, left to right, which for a run of `n`
//! chunks is always the same list of nodes (the binary decomposition of `n`).

/// A value that two adjacent parts of a run combine into one.
pub trait Merge {
    /// Merges the part that follows this one (its right neighbour).
    fn merge_right(&mut self, right: Self);
}

/// A node of the tree: the merged value of chunks `index·2^level .. (index+1)·2^level`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Node<T> {
    /// Height above the chunks (a chunk is level 0).
    pub level: u32,
    /// Position among the nodes of its level.
    pub index: u64,
    /// The merged value.
    pub value: T,
}

impl<T> Node<T> {
    /// The first chunk the node covers.
    pub fn first_chunk(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last chunk the node covers.
    pub fn end_chunk(&self) -> u64 {
        (self.index + 1) << self.level
    }
}

/// The nodes of contiguous chunks pushed in order, reduced as far as the tree allows.
#[derive(Debug, Clone)]
pub struct Tree<T> {
    /// Complete nodes, in chunk order; adjacent, none the left sibling of the next.
    stack: Vec<Node<T>>,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Tree { stack: Vec::new() }
    }
}

impl<T: Merge> Tree<T> {
    /// Pushes the node that covers the chunks right after those pushed so far (the caller
    /// guarantees it: [`Tree::end_chunk`] equals its first chunk), merging it up the tree as
    /// far as its left siblings are complete.
    pub fn push(&mut self, node: Node<T>) {
        debug_assert!(
            self.stack
                .last()
                .is_none_or(|l| l.end_chunk() == node.first_chunk())
        );
        self.stack.push(node);
        while let [.., left, right] = self.stack.as_slice() {
            if left.level != right.level || left.index % 2 != 0 {
                break;
            }
            let Some(right) = self.stack.pop() else { break };
            let Some(left) = self.stack.last_mut() else {
                break;
            };
            left.value.merge_right(right.value);
            left.level += 1;
            left.index /= 2;
        }
    }

    /// Pushes chunk `chunk`'s value (see [`Tree::push`]).
    pub fn push_chunk(&mut self, chunk: u64, value: T) {
        self.push(Node {
            level: 0,
            index: chunk,
            value,
        });
    }

    /// One past the last chunk pushed (`None` when empty).
    pub fn end_chunk(&self) -> Option<u64> {
        self.stack.last().map(Node::end_chunk)
    }

    /// The nodes held, in chunk order (what a shard hands over).
    pub fn into_nodes(self) -> Vec<Node<T>> {
        self.stack
    }

    /// The value of everything pushed: the nodes held, folded left to right.
    pub fn finish(self) -> Option<T> {
        let mut nodes = self.stack.into_iter();
        let mut total = nodes.next()?.value;
        for n in nodes {
            total.merge_right(n.value);
        }
        Some(total)
    }
}

impl<T: Merge> Merge for Vec<T> {
    fn merge_right(&mut self, right: Self) {
        for (a, b) in self.iter_mut().zip(right) {
            a.merge_right(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sum that records its bracketing, so the shape of the reduction is visible.
    #[derive(Debug, Clone, PartialEq)]
    struct Expr(String, f64);

    impl Merge for Expr {
        fn merge_right(&mut self, right: Self) {
            self.0 = format!("({}+{})", self.0, right.0);
            self.1 += right.1;
        }
    }

    fn leaf(c: u64) -> Expr {
        // Values whose sum depends on the order of addition.
        Expr(
            c.to_string(),
            [1e16, 1.0, -1e16, 3.0, 0.1, 0.2, 0.3][c as usize % 7],
        )
    }

    fn whole(n: u64) -> Expr {
        let mut t = Tree::default();
        for c in 0..n {
            t.push_chunk(c, leaf(c));
        }
        t.finish().unwrap_or_else(|| Expr(String::new(), 0.0))
    }

    /// The nodes a shard of chunks `lo..hi` hands over.
    fn shard(lo: u64, hi: u64) -> Vec<Node<Expr>> {
        let mut t = Tree::default();
        for c in lo..hi {
            t.push_chunk(c, leaf(c));
        }
        t.into_nodes()
    }

    #[test]
    fn the_tree_has_the_shape_of_the_binary_decomposition() {
        assert_eq!(whole(1).0, "0");
        assert_eq!(whole(4).0, "((0+1)+(2+3))");
        assert_eq!(whole(7).0, "((((0+1)+(2+3))+(4+5))+6)");
    }

    #[test]
    fn any_contiguous_split_reduces_to_the_same_bits() {
        for n in [1_u64, 2, 5, 13, 64, 100] {
            let one = whole(n);
            for m in [1_u64, 2, 3, 7, 200] {
                let mut t = Tree::default();
                for k in 0..m {
                    for node in shard(k * n / m, (k + 1) * n / m) {
                        t.push(node);
                    }
                }
                let merged = t.finish().unwrap_or_else(|| Expr(String::new(), 0.0));
                assert_eq!(merged.0, one.0, "n={n} m={m}");
                assert_eq!(merged.1.to_bits(), one.1.to_bits(), "n={n} m={m}");
            }
        }
    }

    #[test]
    fn a_shard_holds_at_most_two_nodes_per_level() {
        let nodes = shard(3, 1000);
        let mut levels: Vec<u32> = nodes.iter().map(|n| n.level).collect();
        levels.sort_unstable();
        for l in 0..=10 {
            assert!(
                levels.iter().filter(|&&x| x == l).count() <= 2,
                "{levels:?}"
            );
        }
        assert_eq!(nodes.first().map(Node::first_chunk), Some(3));
        assert_eq!(nodes.last().map(Node::end_chunk), Some(1000));
    }
}
