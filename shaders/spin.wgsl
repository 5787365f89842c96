// dst[i] = the `rounds`-th value of a linear congruential sequence started at src[i]: a
// long-running dispatch with a result the host can check (for the submit-boundary test).
struct Push {
    count: u32,
    rounds: u32,
}

var<immediate> push: Push;
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if (i < push.count) {
        var x = src[i];
        for (var r = 0u; r < push.rounds; r = r + 1u) {
            x = x * 1664525u + 1013904223u;
        }
        dst[i] = x;
    }
}
