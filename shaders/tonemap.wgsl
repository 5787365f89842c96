// HDR colour plus bloom, Reinhard-tonemapped and gamma-encoded into the output.
@group(0) @binding(0) var hdr: texture_storage_2d<rgba16float, read>;
@group(0) @binding(1) var bloom: texture_storage_2d<rgba16float, read>;
@group(0) @binding(2) var output: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = textureDimensions(output);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let p = vec2<i32>(id.xy);
    let c = textureLoad(hdr, p).rgb + 0.5 * textureLoad(bloom, p).rgb;
    let mapped = c / (vec3<f32>(1.0) + c);
    textureStore(output, p, vec4<f32>(pow(mapped, vec3<f32>(1.0 / 2.2)), 1.0));
}
