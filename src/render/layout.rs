//! A layered (Sugiyama) layout of a directed graph, for drawing flowcharts: cycles are broken
//! by reversing the edges that close them, nodes are put in layers by their longest path from
//! a source, long edges get a dummy node in every layer they cross, the order within each
//! layer is improved by barycentre sweeps (keeping the order with the fewest crossings), and
//! x positions are pulled towards the neighbours' while keeping boxes apart. Edges come out
//! as orthogonal polylines that pass between the boxes, never through them.

/// Space between things, in the drawing's units.
#[derive(Debug, Clone, Copy)]
pub struct Gaps {
    /// Between two boxes of a layer.
    pub node: f64,
    /// Between two layers.
    pub layer: f64,
    /// Around the drawing.
    pub margin: f64,
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The centre of each node.
    pub centres: Vec<(f64, f64)>,
    /// Each edge as points from its source's border to its target's border.
    pub edges: Vec<Vec<(f64, f64)>>,
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
}

/// Width of a dummy node: the room a long edge takes in a layer.
const DUMMY: f64 = 14.0;
/// Rounds of barycentre sweeps.
const SWEEPS: usize = 12;

/// Lays out nodes of the given (width, height) with the given edges (from, to).
pub fn layout(sizes: &[(f64, f64)], edges: &[(usize, usize)], gaps: Gaps) -> Layout {
    let n = sizes.len();
    let edges: Vec<(usize, usize)> = (edges.iter().copied())
        .filter(|&(a, b)| a < n && b < n)
        .collect();
    let reversed = back_edges(n, &edges);
    let forward: Vec<(usize, usize)> = (edges.iter().zip(&reversed))
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();
    let rank = ranks(n, &forward);
    let mut g = Layered::new(sizes, rank);
    let chains: Vec<Vec<usize>> = forward.iter().map(|&(a, b)| g.chain(a, b)).collect();
    g.order();
    g.place(gaps);
    let (width, height) = g.extent(gaps);
    // Each edge drawn against the layers runs sideways in its own lane, below the middle of
    // a gap, where the forward edges fan out and in: lines never share a segment.
    let mut lanes = 0;
    let lines = (edges.iter().zip(&chains).zip(&reversed))
        .map(|((&(a, b), chain), &back)| {
            let lane = back.then(|| {
                lanes += 1;
                lanes
            });
            g.route(a, b, chain, lane, gaps)
        })
        .collect();
    Layout {
        centres: (0..n).map(|v| (g.x[v], g.y[v])).collect(),
        edges: lines,
        width,
        height,
    }
}

/// Which edges close a cycle, by a depth-first search from the nodes in index order: an
/// edge to a node still on the search's stack.
fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (e, &(a, b)) in edges.iter().enumerate() {
        out[a].push((b, e));
    }
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&(w, e)) = out[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// Each node's layer: the length of the longest path to it (the graph is acyclic here).
fn ranks(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b {
            indegree[b] += 1;
            out[a].push(b);
        }
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &w in &out[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    rank
}

/// The layered graph: the real nodes first, then the dummies of long edges.
struct Layered {
    size: Vec<(f64, f64)>,
    rank: Vec<usize>,
    /// Edges between adjacent layers, (upper, lower).
    links: Vec<(usize, usize)>,
    /// Nodes of each layer, in drawing order.
    layers: Vec<Vec<usize>>,
    x: Vec<f64>,
    y: Vec<f64>,
    /// Top and bottom of each layer.
    bands: Vec<(f64, f64)>,
}

impl Layered {
    fn new(sizes: &[(f64, f64)], rank: Vec<usize>) -> Layered {
        let depth = rank.iter().max().map_or(0, |d| d + 1);
        let mut layers = vec![Vec::new(); depth];
        for (v, &r) in rank.iter().enumerate() {
            layers[r].push(v);
        }
        Layered {
            size: sizes.to_vec(),
            rank,
            links: Vec::new(),
            layers,
            x: Vec::new(),
            y: Vec::new(),
            bands: Vec::new(),
        }
    }

    /// Links `a` (upper) to `b` (lower) through a dummy in each layer between; the dummies.
    fn chain(&mut self, a: usize, b: usize) -> Vec<usize> {
        let mut dummies = Vec::new();
        let mut prev = a;
        for r in self.rank[a] + 1..self.rank[b] {
            let d = self.size.len();
            self.size.push((DUMMY, 0.0));
            self.rank.push(r);
            self.layers[r].push(d);
            self.links.push((prev, d));
            dummies.push(d);
            prev = d;
        }
        if a != b {
            self.links.push((prev, b));
        }
        dummies
    }

    /// Barycentre sweeps down and up, keeping the order with the fewest crossings.
    fn order(&mut self) {
        let mut best = self.layers.clone();
        let mut fewest = self.crossings();
        for round in 0..SWEEPS {
            let down = round % 2 == 0;
            let pos = self.positions();
            let range: Vec<usize> = if down {
                (1..self.layers.len()).collect()
            } else {
                (0..self.layers.len().saturating_sub(1)).rev().collect()
            };
            let mut pos = pos;
            for l in range {
                let mut keyed: Vec<(f64, usize)> = (self.layers[l].iter())
                    .enumerate()
                    .map(|(k, &v)| (self.barycentre(v, down, &pos).unwrap_or(k as f64), v))
                    .collect();
                keyed.sort_by(|p, q| p.0.total_cmp(&q.0));
                self.layers[l] = keyed.into_iter().map(|(_, v)| v).collect();
                for (k, &v) in self.layers[l].iter().enumerate() {
                    pos[v] = k as f64;
                }
            }
            let c = self.crossings();
            if c < fewest {
                fewest = c;
                best = self.layers.clone();
            }
        }
        self.layers = best;
    }

    /// Each node's index within its layer.
    fn positions(&self) -> Vec<f64> {
        let mut pos = vec![0.0; self.size.len()];
        for layer in &self.layers {
            for (k, &v) in layer.iter().enumerate() {
                pos[v] = k as f64;
            }
        }
        pos
    }

    /// The mean of `pos` over the neighbours of `v` above (`up`) or below.
    fn barycentre(&self, v: usize, above: bool, pos: &[f64]) -> Option<f64> {
        let near: Vec<f64> = (self.links.iter())
            .filter_map(|&(a, b)| match above {
                true if b == v => Some(pos[a]),
                false if a == v => Some(pos[b]),
                _ => None,
            })
            .collect();
        (!near.is_empty()).then(|| near.iter().sum::<f64>() / near.len() as f64)
    }

    /// Pairs of links between the same two layers that cross.
    fn crossings(&self) -> usize {
        let pos = self.positions();
        let mut count = 0;
        for (i, &(a, b)) in self.links.iter().enumerate() {
            for &(c, d) in &self.links[i + 1..] {
                if self.rank[a] == self.rank[c] && (pos[a] - pos[c]) * (pos[b] - pos[d]) < 0.0 {
                    count += 1;
                }
            }
        }
        count
    }

    /// x from the order (boxes pulled towards their neighbours, never closer than the gap),
    /// y from the layers.
    fn place(&mut self, gaps: Gaps) {
        let n = self.size.len();
        self.x = vec![0.0; n];
        self.y = vec![0.0; n];
        for layer in &self.layers {
            let mut left = 0.0;
            for &v in layer {
                self.x[v] = left + self.size[v].0 / 2.0;
                left += self.size[v].0 + gaps.node;
            }
        }
        for round in 0..2 * SWEEPS {
            let down = round % 2 == 0;
            for l in 0..self.layers.len() {
                let l = if down { l } else { self.layers.len() - 1 - l };
                self.pull(l, gaps.node);
            }
        }
        self.straighten(gaps.node);
        let min = (0..n)
            .map(|v| self.x[v] - self.size[v].0 / 2.0)
            .fold(f64::INFINITY, f64::min);
        let shift = if min.is_finite() {
            gaps.margin - min
        } else {
            0.0
        };
        self.x.iter_mut().for_each(|x| *x += shift);
        let mut top = gaps.margin;
        for layer in &self.layers {
            let h = layer.iter().map(|&v| self.size[v].1).fold(0.0, f64::max);
            for &v in layer {
                self.y[v] = top + h / 2.0;
            }
            self.bands.push((top, top + h));
            top += h + gaps.layer;
        }
    }

    /// Puts a node right under its only predecessor when that one has no other successor
    /// and there is room, so that a chain of steps is drawn as one straight line.
    fn straighten(&mut self, gap: f64) {
        for l in 1..self.layers.len() {
            let layer = self.layers[l].clone();
            for (k, &v) in layer.iter().enumerate() {
                let ins: Vec<usize> = (self.links.iter())
                    .filter(|e| e.1 == v)
                    .map(|e| e.0)
                    .collect();
                let [u] = ins[..] else { continue };
                if self.links.iter().filter(|e| e.0 == u).count() != 1 {
                    continue;
                }
                let x = self.x[u];
                let half = self.size[v].0 / 2.0;
                let left_ok = k == 0 || {
                    let w = layer[k - 1];
                    self.x[w] + self.size[w].0 / 2.0 + gap <= x - half
                };
                let right_ok = k + 1 == layer.len() || {
                    let w = layer[k + 1];
                    x + half + gap <= self.x[w] - self.size[w].0 / 2.0
                };
                if left_ok && right_ok {
                    self.x[v] = x;
                }
            }
        }
    }

    /// Moves the boxes of layer `l` towards the mean x of their neighbours, keeping the order
    /// and the gap: a pass from the left and one from the right, averaged.
    fn pull(&mut self, l: usize, gap: f64) {
        let layer = self.layers[l].clone();
        let want: Vec<f64> = (layer.iter())
            .map(|&v| {
                let near: Vec<f64> = (self.links.iter())
                    .filter_map(|&(a, b)| (b == v).then_some(a).or((a == v).then_some(b)))
                    .map(|w| self.x[w])
                    .collect();
                if near.is_empty() {
                    self.x[v]
                } else {
                    near.iter().sum::<f64>() / near.len() as f64
                }
            })
            .collect();
        let half = |v: usize| self.size[v].0 / 2.0;
        let mut from_left = want.clone();
        for k in 1..layer.len() {
            let min = from_left[k - 1] + half(layer[k - 1]) + gap + half(layer[k]);
            from_left[k] = from_left[k].max(min);
        }
        let mut from_right = want;
        for k in (0..layer.len().saturating_sub(1)).rev() {
            let max = from_right[k + 1] - half(layer[k + 1]) - gap - half(layer[k]);
            from_right[k] = from_right[k].min(max);
        }
        // The average of two orders that each keep the gap keeps it too.
        for (k, &v) in layer.iter().enumerate() {
            self.x[v] = (from_left[k] + from_right[k]) / 2.0;
        }
    }

    fn extent(&self, gaps: Gaps) -> (f64, f64) {
        let (mut right, mut bottom) = (0.0f64, 0.0f64);
        for v in 0..self.size.len() {
            right = right.max(self.x[v] + self.size[v].0 / 2.0);
            bottom = bottom.max(self.y[v] + self.size[v].1 / 2.0);
        }
        (right + gaps.margin + DUMMY, bottom + gaps.margin)
    }

    /// The polyline of edge `a → b` through the dummies of its chain. An edge drawn against
    /// the layers has a `lane` (1, 2, …): it leaves and enters at the side and runs sideways
    /// at its lane's height in each gap.
    fn route(
        &self,
        a: usize,
        b: usize,
        chain: &[usize],
        lane: Option<usize>,
        gaps: Gaps,
    ) -> Vec<(f64, f64)> {
        let Some(lane) = lane else {
            let mut pts = vec![(self.x[a], self.y[a] + self.size[a].1 / 2.0)];
            for &v in chain.iter().chain([b].iter()) {
                let y = self.gap_above(self.rank[v]);
                let last = pts[pts.len() - 1];
                if (last.0 - self.x[v]).abs() > 0.5 {
                    pts.push((last.0, y));
                    pts.push((self.x[v], y));
                }
            }
            pts.push((self.x[b], self.y[b] - self.size[b].1 / 2.0));
            return pts;
        };
        // Between just below the middle of the gap and just above the next layer.
        let share = 0.5 + (0.12 * lane as f64).min(0.4);
        // The chain runs from b (upper) down to a; walk it upwards, crossing each layer at a
        // dummy and running sideways only in the gaps between layers.
        let up: Vec<usize> = chain.iter().rev().copied().collect();
        let out = |v: usize, x: f64| {
            let dx = if x >= self.x[v] { 1.0 } else { -1.0 };
            (
                self.x[v] + dx * self.size[v].0 / 2.0,
                self.x[v] + dx * (self.size[v].0 / 2.0 + gaps.node / 2.0),
            )
        };
        let first = up.first().map_or(f64::INFINITY, |&d| self.x[d]);
        let (start, x0) = out(a, first);
        let mut y = self.gap_at(self.rank[a], share);
        let mut pts = vec![(start, self.y[a]), (x0, self.y[a]), (x0, y)];
        for &d in &up {
            pts.push((self.x[d], y));
            y = self.gap_at(self.rank[d], share);
            pts.push((self.x[d], y));
        }
        let last = up.last().map_or(f64::INFINITY, |&d| self.x[d]);
        let (end, x1) = out(b, last);
        pts.push((x1, y));
        pts.push((x1, self.y[b]));
        pts.push((end, self.y[b]));
        pts
    }

    /// The middle of the gap above layer `r` (below the layer above it).
    fn gap_above(&self, r: usize) -> f64 {
        self.gap_at(r, 0.5)
    }

    /// The height `share` of the way down the gap above layer `r` (its top for the first).
    fn gap_at(&self, r: usize, share: f64) -> f64 {
        match (
            r.checked_sub(1).and_then(|q| self.bands.get(q)),
            self.bands.get(r),
        ) {
            (Some(&(_, bottom)), Some(&(top, _))) => bottom + (top - bottom) * share,
            (_, Some(&(top, _))) => top,
            _ => 0.0,
        }
    }
}
