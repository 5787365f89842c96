//! Submission order and lifetimes: one timeline semaphore per context counts submissions;
//! every resource remembers the value of the last submission that used it; host access
//! waits for that value; a resource dropped while the GPU may still use it is kept until
//! its value has passed ("graveyard"), then destroyed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ash::vk;
use gpu_allocator::vulkan::{Allocation, Allocator};

use crate::error::{vk_err, VkError};
use crate::locks::lock;

/// The semaphores one frame's submission waits for and signals.
#[derive(Clone, Copy, Debug)]
pub struct FrameSync {
    /// Signalled when the acquired image may be written.
    pub acquired: vk::Semaphore,
    /// To signal when the frame's work is done; the present waits for it.
    pub rendered: vk::Semaphore,
}

/// Binary semaphores a submission waits for and signals (a swapchain's: the acquired image,
/// and the rendering the present waits for).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Binary {
    pub wait: Option<vk::Semaphore>,
    pub signal: Option<vk::Semaphore>,
}

/// Something to destroy once the GPU is done with it.
pub(crate) enum Garbage {
    /// A buffer, and its memory unless it was placed in memory someone else frees.
    Buffer(vk::Buffer, Option<Allocation>),
    /// An image, likewise, and its views.
    Image(vk::Image, Option<Allocation>, Vec<vk::ImageView>),
    /// Memory that placed resources used.
    Memory(Allocation),
    CommandPool(vk::CommandPool),
    /// The views of an image someone else owns.
    Views(Vec<vk::ImageView>),
    /// A pipeline and the layouts and immutable sampler made for it.
    Pipeline(PipelineObjects),
}

/// What a compute or graphics pipeline owns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PipelineObjects {
    pub pipeline: vk::Pipeline,
    pub layout: vk::PipelineLayout,
    pub set_layout: vk::DescriptorSetLayout,
    /// The immutable sampler of separate sampler bindings.
    pub sampler: vk::Sampler,
}

/// The context's timeline: submissions, waits and deferred destruction.
pub(crate) struct Timeline {
    pub semaphore: vk::Semaphore,
    /// The last value a submission signals; the lock also serialises queue submissions.
    submitted: Mutex<u64>,
    graveyard: Mutex<Vec<(u64, Garbage)>>,
    /// The last one-time transfer submission (frames wait for it: its staging memory may be
    /// reused by their resources).
    last_transfer: AtomicU64,
    /// A value the semaphore is known to have reached: waits for values up to it need no
    /// Vulkan call.
    known_completed: AtomicU64,
}

/// What a submission waits for on the device.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Submit {
    /// A value (0: nothing), and the last one-time transfer. Executors pass their frame
    /// slot's previous submission: it orders the slot's transients, and unlike a host wait
    /// the validation layer (1.3.239) sees it.
    After(u64),
    /// Every earlier submission (one-time transfers).
    AfterAll,
}

/// The value of the last submission that used a resource (0: none).
#[derive(Debug, Default)]
pub(crate) struct InFlight(AtomicU64);

impl InFlight {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub fn set(&self, value: u64) {
        self.0.fetch_max(value, Ordering::AcqRel);
    }
}

impl Timeline {
    pub fn new(device: &ash::Device) -> Result<Self, VkError> {
        let mut kind = vk::SemaphoreTypeCreateInfo::default()
            .semaphore_type(vk::SemaphoreType::TIMELINE)
            .initial_value(0);
        let info = vk::SemaphoreCreateInfo::default().push_next(&mut kind);
        // SAFETY: the device is valid; the semaphore is destroyed by `destroy`.
        let semaphore =
            unsafe { device.create_semaphore(&info, None) }.map_err(vk_err("vkCreateSemaphore"))?;
        Ok(Self {
            semaphore,
            submitted: Mutex::new(0),
            graveyard: Mutex::new(Vec::new()),
            last_transfer: AtomicU64::new(0),
            known_completed: AtomicU64::new(0),
        })
    }

    /// The value of the last finished submission.
    pub fn completed(&self, device: &ash::Device) -> Result<u64, VkError> {
        // SAFETY: the semaphore belongs to this device.
        let value = unsafe { device.get_semaphore_counter_value(self.semaphore) }
            .map_err(vk_err("vkGetSemaphoreCounterValue"))?;
        self.known_completed.fetch_max(value, Ordering::AcqRel);
        Ok(value)
    }

    /// Blocks until the submission with `value` (and all before it) has finished.
    pub fn wait(&self, device: &ash::Device, value: u64) -> Result<(), VkError> {
        if value <= self.known_completed.load(Ordering::Acquire) || self.completed(device)? >= value
        {
            return Ok(());
        }
        let semaphores = [self.semaphore];
        let values = [value];
        let info = vk::SemaphoreWaitInfo::default()
            .semaphores(&semaphores)
            .values(&values);
        // SAFETY: the semaphore belongs to this device; a value that was submitted will be
        // signalled.
        unsafe { device.wait_semaphores(&info, u64::MAX) }.map_err(vk_err("vkWaitSemaphores"))?;
        self.known_completed.fetch_max(value, Ordering::AcqRel);
        Ok(())
    }

    /// Submits `cmd` to `queue`, signalling the next value, which it returns. The
    /// submission first waits on the device (all stages) for value `after` (nothing for 0).
    /// A one-time transfer passes [`Submit::AfterAll`]: it waits for every earlier
    /// submission and later frames wait for it. Destroys the garbage whose submissions have
    /// finished.
    pub fn submit(
        &self,
        device: &ash::Device,
        queue: vk::Queue,
        cmd: vk::CommandBuffer,
        after: Submit,
        binary: Binary,
        allocator: &Mutex<Allocator>,
    ) -> Result<u64, VkError> {
        let after_kind = after;
        let value = {
            let mut submitted = lock(&self.submitted);
            let after = match after {
                Submit::After(value) => self.wait_after(value),
                Submit::AfterAll => *submitted,
            };
            let value = *submitted + 1;
            let cmds = [vk::CommandBufferSubmitInfo::default().command_buffer(cmd)];
            let signal = |semaphore, value| {
                vk::SemaphoreSubmitInfo::default()
                    .semaphore(semaphore)
                    .value(value)
                    .stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
            };
            // The timeline, then the swapchain's binary semaphores (value ignored).
            let mut signals = [signal(self.semaphore, value); 2];
            let mut waits = [signal(self.semaphore, after); 2];
            let (mut signal_count, mut wait_count) = (1, usize::from(after != 0));
            if let Some(rendered) = binary.signal {
                signals[1] = signal(rendered, 0);
                signal_count = 2;
            }
            if let Some(acquired) = binary.wait {
                waits[wait_count] = signal(acquired, 0);
                wait_count += 1;
            }
            let (signals, waits) = (&signals[..signal_count], &waits[..wait_count]);
            let submit = [vk::SubmitInfo2::default()
                .wait_semaphore_infos(waits)
                .command_buffer_infos(&cmds)
                .signal_semaphore_infos(signals)];
            // SAFETY: the command buffer is fully recorded and not pending; the queue is
            // externally synchronised by the lock held here; the infos point at locals.
            unsafe { device.queue_submit2(queue, &submit, vk::Fence::null()) }
                .map_err(vk_err("vkQueueSubmit2"))?;
            *submitted = value;
            if matches!(after_kind, Submit::AfterAll) {
                self.last_transfer.store(value, Ordering::Release);
            }
            value
        };
        self.collect(device, allocator)?;
        Ok(value)
    }

    /// The timeline value a `Submit::After(value)` submission waits for: `value`, or the
    /// last one-time transfer when that is later.
    pub fn wait_after(&self, value: u64) -> u64 {
        value.max(self.last_transfer.load(Ordering::Acquire))
    }

    /// Holds the queue (for presenting) while the guard lives.
    pub fn queue_lock(&self) -> std::sync::MutexGuard<'_, u64> {
        lock(&self.submitted)
    }

    /// The value of the last submission.
    pub fn last_submitted(&self) -> u64 {
        *lock(&self.submitted)
    }

    /// Keeps `garbage` until the submission `value` has finished.
    pub fn retire(&self, value: u64, garbage: Garbage) {
        lock(&self.graveyard).push((value, garbage));
    }

    /// Destroys the garbage whose submissions have finished.
    pub fn collect(
        &self,
        device: &ash::Device,
        allocator: &Mutex<Allocator>,
    ) -> Result<(), VkError> {
        let completed = self.completed(device)?;
        let mut graveyard = lock(&self.graveyard);
        let mut i = 0;
        while i < graveyard.len() {
            if graveyard[i].0 <= completed {
                let (_, garbage) = graveyard.swap_remove(i);
                destroy(device, allocator, garbage);
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    /// Destroys all garbage and the semaphore; the device must be idle.
    pub fn destroy(&self, device: &ash::Device, allocator: &Mutex<Allocator>) {
        for (_, garbage) in lock(&self.graveyard).drain(..) {
            destroy(device, allocator, garbage);
        }
        // SAFETY: the device is idle (the caller waited), so no submission uses it.
        unsafe { device.destroy_semaphore(self.semaphore, None) };
    }
}

/// Destroys a resource the GPU no longer uses.
pub(crate) fn destroy(device: &ash::Device, allocator: &Mutex<Allocator>, garbage: Garbage) {
    let allocation = match garbage {
        Garbage::CommandPool(pool) => {
            // SAFETY: the pool's only submission has finished.
            unsafe { device.destroy_command_pool(pool, None) };
            return;
        }
        Garbage::Pipeline(objects) => {
            // SAFETY: every submission that may have bound the pipeline has finished, and
            // nothing else refers to its objects.
            unsafe {
                device.destroy_pipeline(objects.pipeline, None);
                device.destroy_pipeline_layout(objects.layout, None);
                device.destroy_descriptor_set_layout(objects.set_layout, None);
                device.destroy_sampler(objects.sampler, None);
            }
            return;
        }
        Garbage::Views(views) => {
            for view in views {
                // SAFETY: the last submission using the views has finished.
                unsafe { device.destroy_image_view(view, None) };
            }
            return;
        }
        Garbage::Buffer(buffer, allocation) => {
            // SAFETY: its last submission has finished and nothing refers to it any more.
            unsafe { device.destroy_buffer(buffer, None) };
            allocation
        }
        Garbage::Image(image, allocation, views) => {
            // SAFETY: as above; the views are destroyed before their image.
            unsafe {
                for view in views {
                    device.destroy_image_view(view, None);
                }
                device.destroy_image(image, None);
            }
            allocation
        }
        Garbage::Memory(allocation) => Some(allocation),
    };
    if let (Some(allocation), Ok(mut allocator)) = (allocation, allocator.lock()) {
        let _ = allocator.free(allocation);
    }
}
