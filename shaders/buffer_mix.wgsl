// dst[i] = src_a[i] * 3 + src_b[i] + seed, for the elements i < count with i % stride == lane
// (stride > 1 lets several tasks write one buffer concurrently, each its own lane).
struct Push {
    count: u32,
    seed: u32,
    stride: u32,
    lane: u32,
}

var<immediate> push: Push;
@group(0) @binding(0) var<storage, read> src_a: array<u32>;
@group(0) @binding(1) var<storage, read> src_b: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if (i < push.count && i % push.stride == push.lane) {
        dst[i] = src_a[i] * 3u + src_b[i] + push.seed;
    }
}
