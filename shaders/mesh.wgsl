// Instanced, lit mesh: a 4x4 grid of spheres, turned by `angle`, Lambert lighting into an
// HDR target. Instance 5 is emissive and bright (it drives the bloom).
struct Push {
    view_proj: mat4x4<f32>,
    angle: f32,
    pad0: f32,
    pad1: f32,
    pad2: f32,
}

var<immediate> push: Push;

struct VertexIn {
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
}

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) normal: vec3<f32>,
    @location(1) color: vec3<f32>,
}

@vertex
fn vs(v: VertexIn, @builtin(instance_index) instance: u32) -> VertexOut {
    let c = cos(push.angle);
    let s = sin(push.angle);
    let turn = mat3x3<f32>(vec3<f32>(c, 0.0, -s), vec3<f32>(0.0, 1.0, 0.0), vec3<f32>(s, 0.0, c));
    let cell = vec2<f32>(f32(instance % 4u), f32(instance / 4u));
    let offset = vec3<f32>((cell.x - 1.5) * 2.5, (cell.y - 1.5) * 2.5, 0.0);
    var out: VertexOut;
    out.clip = push.view_proj * vec4<f32>(turn * v.position + offset, 1.0);
    out.normal = turn * v.normal;
    let hue = f32(instance) / 16.0;
    out.color = vec3<f32>(0.5) + 0.5 * cos(6.28318 * (vec3<f32>(hue) + vec3<f32>(0.0, 0.33, 0.67)));
    if (instance == 5u) {
        out.color = vec3<f32>(8.0, 6.0, 3.0);
    }
    return out;
}

@fragment
fn fs(i: VertexOut) -> @location(0) vec4<f32> {
    let to_light = normalize(vec3<f32>(-0.4, 0.7, 0.6));
    let diffuse = max(dot(normalize(i.normal), to_light), 0.0);
    return vec4<f32>(i.color * (0.15 + 0.85 * diffuse), 1.0);
}
