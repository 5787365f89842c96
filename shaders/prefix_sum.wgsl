// Inclusive prefix sum of the 256 bins: a Hillis-Steele scan in one workgroup.
@group(0) @binding(0) var<storage, read> bins: array<u32, 256>;
@group(0) @binding(1) var<storage, read_write> cdf: array<u32, 256>;

var<workgroup> scratch: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) i: u32) {
    scratch[i] = bins[i];
    workgroupBarrier();
    for (var offset = 1u; offset < 256u; offset *= 2u) {
        var add = 0u;
        if (i >= offset) {
            add = scratch[i - offset];
        }
        workgroupBarrier();
        scratch[i] += add;
        workgroupBarrier();
    }
    cdf[i] = scratch[i];
}
