// 256-bin histogram of the edge magnitudes (clamped to [0, 1]).
@group(0) @binding(0) var input: texture_storage_2d<r32float, read>;
@group(0) @binding(1) var<storage, read_write> bins: array<atomic<u32>, 256>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = vec2<u32>(textureDimensions(input));
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let v = clamp(textureLoad(input, vec2<i32>(id.xy)).x, 0.0, 1.0);
    atomicAdd(&bins[u32(v * 255.0 + 0.5)], 1u);
}
