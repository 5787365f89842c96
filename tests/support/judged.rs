//! Feeding what an executor captured (`Executor::capture_commands`) to our own judge of
//! synchronisation (`weft-judge`), for the GPU tests across executions.

use std::sync::Arc;

use weft::prelude::*;
use weft::runtime::{Buffer, Captured, CapturedTarget, Image};
use weft_judge::{Judge, Target};

/// The judge's name for the context's timeline semaphore (the only one captured).
const TIMELINE: u64 = 1;

/// Declares `buffer` to `judge` (again after it was replaced: its state starts afresh).
pub fn add_buffer(judge: &mut Judge, buffer: &Buffer) {
    let raw = vk::Handle::as_raw(buffer.handle());
    judge.add_buffer(raw, buffer.name(), buffer.size());
}

/// Declares `image` (color, any mips and layers) to `judge`.
pub fn add_image(judge: &mut Judge, image: &Arc<Image>, name: &str) {
    let desc = image.desc();
    let raw = vk::Handle::as_raw(image.handle());
    judge.add_image(
        raw,
        name,
        desc.aspects(),
        desc.mip_levels,
        desc.array_layers,
    );
}

/// Starts `judge` after submissions it is not shown, up to timeline value `value`: waits
/// for them are waits for a submission made before anything it is shown.
pub fn start_after(judge: &mut Judge, value: u64) {
    if value != 0 {
        judge.signal(TIMELINE, value);
    }
}

/// The last timeline value `captured` signals (0: none).
pub fn last_signal(captured: &[Captured]) -> u64 {
    captured
        .iter()
        .filter_map(|e| match e {
            Captured::Signal { value } => Some(*value),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Feeds `captured` to `judge`; every hazard and problem it found so far, as text.
pub fn judge_events(judge: &mut Judge, captured: &[Captured]) -> Vec<String> {
    for event in captured {
        match event {
            Captured::HostWait { value } => judge.host_wait(TIMELINE, *value),
            Captured::Submission { wait } => {
                if *wait != 0 {
                    judge.wait(TIMELINE, *wait, vk::PipelineStageFlags2::ALL_COMMANDS);
                }
            }
            Captured::Barrier { memory, images } => judge.barrier("barrier", memory, &[], images),
            Captured::Transient {
                name,
                target,
                memory,
                offset,
                size,
            } => {
                let raw = match *target {
                    CapturedTarget::Buffer { buffer, size, .. } => {
                        let raw = vk::Handle::as_raw(buffer);
                        if !judge.knows(raw) {
                            judge.add_buffer(raw, name, size);
                        }
                        raw
                    }
                    CapturedTarget::Image { image, range } => {
                        let raw = vk::Handle::as_raw(image);
                        if !judge.knows(raw) {
                            let (mips, layers) = (range.level_count, range.layer_count);
                            judge.add_image(raw, name, range.aspect_mask, mips, layers);
                        }
                        raw
                    }
                };
                judge.bind_memory(raw, vk::Handle::as_raw(*memory), *offset, *size);
            }
            Captured::Task { name, accesses } => {
                judge.command(name);
                for a in accesses {
                    let (target, layout) = match a.target {
                        CapturedTarget::Buffer {
                            buffer,
                            offset,
                            size,
                        } => (
                            Target::Buffer {
                                buffer: vk::Handle::as_raw(buffer),
                                offset,
                                size,
                            },
                            None,
                        ),
                        CapturedTarget::Image { image, range } => (
                            Target::Image {
                                image: vk::Handle::as_raw(image),
                                range,
                            },
                            Some(a.layout),
                        ),
                    };
                    judge.access(target, a.stages, a.access, layout);
                }
            }
            Captured::Signal { value } => judge.signal(TIMELINE, *value),
        }
    }
    let mut found: Vec<String> = judge.hazards().iter().map(|h| h.to_string()).collect();
    found.extend(judge.problems().iter().cloned());
    found
}
