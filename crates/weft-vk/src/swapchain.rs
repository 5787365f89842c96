//! A window's swapchain: its images stand for an external task image that the graph
//! presents at its end; acquire and present semaphores join the executor's submission.
//! Out-of-date and suboptimal swapchains are rebuilt by [`Swapchain::recreate`].

use std::sync::Arc;

use ash::vk;
use raw_window_handle::{HasDisplayHandle, HasWindowHandle};
use weft_graph::ImageDesc;

use crate::context::{display_kind, Context};
use crate::error::{vk_err, VkError};
use crate::image::Image;
pub use crate::timeline::FrameSync;

/// An acquired swapchain image.
pub struct Acquired<'a> {
    /// Index of the image in the swapchain.
    pub index: u32,
    /// The image, to bind to the graph's swapchain image ([`crate::Graph::bind_image`]).
    pub image: &'a Arc<Image>,
    /// The semaphores to pass to [`crate::Executor::execute_presenting`].
    pub sync: FrameSync,
}

/// A surface and its swapchain.
pub struct Swapchain {
    ctx: Arc<Context>,
    surface_loader: ash::khr::surface::Instance,
    loader: ash::khr::swapchain::Device,
    surface: vk::SurfaceKHR,
    swapchain: vk::SwapchainKHR,
    images: Vec<Arc<Image>>,
    desc: ImageDesc,
    /// One acquire semaphore per image (the next one is used for each acquire) and one
    /// "rendered" semaphore per image.
    acquire: Vec<vk::Semaphore>,
    rendered: Vec<vk::Semaphore>,
    next_acquire: usize,
}

fn semaphore(device: &ash::Device) -> Result<vk::Semaphore, VkError> {
    // SAFETY: the device is valid; the semaphore is destroyed by the swapchain's drop.
    unsafe { device.create_semaphore(&vk::SemaphoreCreateInfo::default(), None) }
        .map_err(vk_err("vkCreateSemaphore"))
}

impl Swapchain {
    /// Makes a surface for `window` and a swapchain of `width` x `height` (clamped to what
    /// the surface allows). The context must have been made with the window's display.
    pub fn new(
        ctx: &Arc<Context>,
        window: &(impl HasWindowHandle + HasDisplayHandle),
        width: u32,
        height: u32,
    ) -> Result<Self, VkError> {
        let display = window
            .display_handle()
            .map_err(|e| VkError::Unsupported(format!("no display handle: {e}")))?;
        let window_kind = display_kind(&display.as_raw());
        if ctx.display_kind != Some(window_kind) {
            return Err(VkError::NotForWindows {
                context: ctx.display_kind.map_or_else(
                    || "without a display".to_owned(),
                    |kind| format!("for a {kind} display"),
                ),
                window: window_kind,
            });
        }
        let handle = window
            .window_handle()
            .map_err(|e| VkError::Unsupported(format!("no window handle: {e}")))?;
        // SAFETY: the handles come from a live window; the surface is destroyed before the
        // instance (the swapchain holds the context).
        let surface = unsafe {
            ash_window::create_surface(
                &ctx.entry,
                &ctx.instance,
                display.as_raw(),
                handle.as_raw(),
                None,
            )
        }
        .map_err(vk_err("vkCreateSurfaceKHR"))?;
        let surface_loader = ash::khr::surface::Instance::new(&ctx.entry, &ctx.instance);
        // SAFETY: the surface and physical device belong to this instance.
        let supported = unsafe {
            surface_loader.get_physical_device_surface_support(
                ctx.physical_device,
                ctx.queue_family,
                surface,
            )
        }
        .unwrap_or(false);
        if !supported {
            // SAFETY: the surface was just made and is not used.
            unsafe { surface_loader.destroy_surface(surface, None) };
            return Err(VkError::CannotPresent {
                device: ctx.device_name().to_owned(),
            });
        }
        let loader = ash::khr::swapchain::Device::new(&ctx.instance, &ctx.device);
        let mut swapchain = Self {
            ctx: Arc::clone(ctx),
            surface_loader,
            loader,
            surface,
            swapchain: vk::SwapchainKHR::null(),
            images: Vec::new(),
            desc: ImageDesc::new_2d(vk::Format::UNDEFINED, 1, 1, vk::ImageUsageFlags::empty()),
            acquire: Vec::new(),
            rendered: Vec::new(),
            next_acquire: 0,
        };
        swapchain.recreate(width, height)?;
        Ok(swapchain)
    }

    /// The description of the swapchain images (declare the graph's image with it).
    pub fn desc(&self) -> ImageDesc {
        self.desc
    }

    /// Rebuilds the swapchain for a new size (after a resize, or when acquire or present
    /// said it is out of date or suboptimal). Waits for the GPU first.
    pub fn recreate(&mut self, width: u32, height: u32) -> Result<(), VkError> {
        let ctx = Arc::clone(&self.ctx);
        ctx.wait_for_all_submissions()?;
        // SAFETY: the surface and physical device belong to this instance.
        let caps = unsafe {
            self.surface_loader
                .get_physical_device_surface_capabilities(ctx.physical_device, self.surface)
        }
        .map_err(vk_err("vkGetPhysicalDeviceSurfaceCapabilitiesKHR"))?;
        // SAFETY: as above.
        let formats = unsafe {
            self.surface_loader
                .get_physical_device_surface_formats(ctx.physical_device, self.surface)
        }
        .map_err(vk_err("vkGetPhysicalDeviceSurfaceFormatsKHR"))?;
        let format = formats
            .iter()
            .find(|f| f.format == vk::Format::B8G8R8A8_UNORM)
            .or(formats.first())
            .copied()
            .ok_or(VkError::CannotPresent {
                device: ctx.device_name().to_owned(),
            })?;
        let extent = if caps.current_extent.width != u32::MAX {
            caps.current_extent
        } else {
            vk::Extent2D {
                width: width.clamp(caps.min_image_extent.width, caps.max_image_extent.width),
                height: height.clamp(caps.min_image_extent.height, caps.max_image_extent.height),
            }
        };
        let mut count = caps.min_image_count.max(3);
        if caps.max_image_count > 0 {
            count = count.min(caps.max_image_count);
        }
        let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::TRANSFER_DST;
        let info = vk::SwapchainCreateInfoKHR::default()
            .surface(self.surface)
            .min_image_count(count)
            .image_format(format.format)
            .image_color_space(format.color_space)
            .image_extent(extent)
            .image_array_layers(1)
            .image_usage(usage)
            .image_sharing_mode(vk::SharingMode::EXCLUSIVE)
            .pre_transform(caps.current_transform)
            .composite_alpha(vk::CompositeAlphaFlagsKHR::OPAQUE)
            .present_mode(vk::PresentModeKHR::FIFO)
            .clipped(true)
            .old_swapchain(self.swapchain);
        // SAFETY: the surface is alive; the old swapchain (if any) is retired here and
        // destroyed right after, with nothing of it in use (we waited).
        let swapchain = unsafe { self.loader.create_swapchain(&info, None) }
            .map_err(vk_err("vkCreateSwapchainKHR"))?;
        self.destroy_images();
        // SAFETY: as above.
        unsafe { self.loader.destroy_swapchain(self.swapchain, None) };
        self.swapchain = swapchain;
        // SAFETY: the swapchain was just created.
        let raw = unsafe { self.loader.get_swapchain_images(swapchain) }
            .map_err(vk_err("vkGetSwapchainImagesKHR"))?;
        self.desc = ImageDesc::new_2d(format.format, extent.width, extent.height, usage);
        self.images = raw
            .into_iter()
            .enumerate()
            .map(|(i, image)| {
                Arc::new(Image::borrowed(
                    &ctx,
                    &format!("swapchain image {i}"),
                    image,
                    &self.desc,
                ))
            })
            .collect();
        while self.acquire.len() < self.images.len() {
            self.acquire.push(semaphore(&ctx.device)?);
            self.rendered.push(semaphore(&ctx.device)?);
        }
        Ok(())
    }

    /// Acquires the next image; `None` when the swapchain is out of date (recreate it).
    pub fn acquire(&mut self) -> Result<Option<Acquired<'_>>, VkError> {
        let acquired = self.acquire[self.next_acquire];
        self.next_acquire = (self.next_acquire + 1) % self.acquire.len();
        // SAFETY: the swapchain and semaphore are alive; the semaphore is unsignalled (the
        // submission that waited on it last has finished before the image came back).
        let result = unsafe {
            self.loader
                .acquire_next_image(self.swapchain, u64::MAX, acquired, vk::Fence::null())
        };
        let index = match result {
            Ok((index, _suboptimal)) => index,
            Err(vk::Result::ERROR_OUT_OF_DATE_KHR) => return Ok(None),
            Err(e) => return Err(vk_err("vkAcquireNextImageKHR")(e)),
        };
        Ok(Some(Acquired {
            index,
            image: &self.images[index as usize],
            sync: FrameSync {
                acquired,
                rendered: self.rendered[index as usize],
            },
        }))
    }

    /// Presents image `index` once its frame is rendered. Returns false when the swapchain
    /// is out of date or suboptimal (recreate it).
    pub fn present(&mut self, index: u32) -> Result<bool, VkError> {
        let waits = [self.rendered[index as usize]];
        let swapchains = [self.swapchain];
        let indices = [index];
        let info = vk::PresentInfoKHR::default()
            .wait_semaphores(&waits)
            .swapchains(&swapchains)
            .image_indices(&indices);
        let _queue = self.ctx.timeline.queue_lock();
        // SAFETY: the queue is externally synchronised by the lock held here; the infos
        // point at locals.
        match unsafe { self.loader.queue_present(self.ctx.queue, &info) } {
            Ok(false) => Ok(true),
            Ok(true) | Err(vk::Result::ERROR_OUT_OF_DATE_KHR) => Ok(false),
            Err(e) => Err(vk_err("vkQueuePresentKHR")(e)),
        }
    }

    fn destroy_images(&mut self) {
        self.images.clear();
    }
}

impl Drop for Swapchain {
    fn drop(&mut self) {
        let _ = self.ctx.wait_idle();
        self.destroy_images();
        // SAFETY: the device is idle; each object is destroyed once, the swapchain before
        // its surface.
        unsafe {
            for s in self.acquire.iter().chain(&self.rendered) {
                self.ctx.device.destroy_semaphore(*s, None);
            }
            self.loader.destroy_swapchain(self.swapchain, None);
            self.surface_loader.destroy_surface(self.surface, None);
        }
    }
}
