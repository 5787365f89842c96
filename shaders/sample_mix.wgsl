// dst[p] = src[p] * 7 + row[p.y * side + p.x] + seed over one side x side mip of one layer,
// reading `src` as a sampled image (SHADER_READ_ONLY_OPTIMAL) with textureLoad.
struct Push {
    side: u32,
    seed: u32,
}

var<immediate> push: Push;
@group(0) @binding(0) var src: texture_2d<u32>;
@group(0) @binding(1) var<storage, read> row: array<u32>;
@group(0) @binding(2) var dst: texture_storage_2d<r32uint, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x < push.side && id.y < push.side) {
        let p = vec2<i32>(id.xy);
        let value = textureLoad(src, p, 0).x * 7u + row[id.y * push.side + id.x] + push.seed;
        textureStore(dst, p, vec4<u32>(value, 0u, 0u, 0u));
    }
}
