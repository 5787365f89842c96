// A fullscreen triangle whose fragments write dst[p] = src[p] * 9 + row[p.y * side + p.x] +
// seed into an R32_UINT color attachment: a draw that samples an image and reads a storage
// buffer in the fragment stage.
struct Push {
    side: u32,
    seed: u32,
}

var<immediate> push: Push;
@group(0) @binding(0) var src: texture_2d<u32>;
@group(0) @binding(1) var<storage, read> row: array<u32>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
    let x = f32((i << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(i & 2u) * 2.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) p: vec4<f32>) -> @location(0) vec4<u32> {
    let x = u32(p.x);
    let y = u32(p.y);
    let value = textureLoad(src, vec2<i32>(i32(x), i32(y)), 0).x * 9u + row[y * push.side + x] + push.seed;
    return vec4<u32>(value, 0u, 0u, 0u);
}
