//! A small renderer driven by one weft graph per window size: instanced lit spheres with
//! depth, a compute bloom over mips, tonemapping, and a blit into the swapchain image, which
//! the graph presents. Frame time in the window title. The bloom runs under the graph's
//! condition `bloom`: the B key (or `--no-bloom`) switches it, and each frame runs the plan
//! of its value (both compiled once, on first use).
//!
//! The frame loop: compile the graph for the swapchain's size (again when the window is
//! resized); each frame, acquire a swapchain image, bind it to the graph's swapchain image,
//! execute the graph (which leaves the image ready to present) and present it. While the
//! window shows nothing (minimised or covered), draw nothing and sleep.
//!
//! `cargo run --release --example renderer` (needs a display; `cargo xtask test` runs it
//! under Xvfb). The test harness (`harness.rs`) adds the options that test uses (`--frames
//! N`, `--resize`, `--minimize`, `--report`, `--screenshot`, `--golden`) and the report
//! printed on exit; `--trace N` writes a Chrome trace of N frames (`trace.rs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft::prelude::*;
use weft::runtime::raw_window_handle::HasDisplayHandle;
use weft::runtime::{Context, ContextOptions, Executor, Graph, Swapchain};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::Key;
use winit::window::{Window, WindowId};

mod frame;
mod harness;
mod trace;

use harness::Harness;

/// Per-frame data passed to the graph's callbacks.
struct FrameData {
    angle: f32,
}

/// The graph of one window size, and its swapchain image (bound to the acquired image
/// every frame).
struct Compiled {
    graph: Graph<FrameData>,
    /// The condition the bloom passes run under.
    bloom: weft::Condition,
    swapchain_image: TaskImage,
    size: (u32, u32),
}

struct Running {
    window: Arc<Window>,
    ctx: Arc<Context>,
    swapchain: Swapchain,
    renderer: frame::Renderer,
    executor: Executor,
    compiled: Compiled,
}

/// While the window shows nothing, the frame loop wakes up this often to look again.
const HIDDEN_POLL: Duration = Duration::from_millis(100);

#[derive(Default)]
struct App {
    /// The test options and checks (`harness.rs`), told of the loop's progress.
    harness: Harness,
    running: Option<Running>,
    frames: u64,
    /// The last `Occluded` event said the window is fully covered.
    occluded: bool,
    /// The window showed nothing when the loop last looked (see [`hidden`]).
    hidden: bool,
    last: Option<Instant>,
    error: Option<String>,
    /// The GPU time of each frame measured (timestamps, read a frame or two later).
    gpu_times: Vec<Duration>,
    /// `--trace N`: the frames profiled so far.
    trace: Option<trace::FrameTrace>,
}

type Error = Box<dyn std::error::Error>;

/// Records and compiles the frame graph for the swapchain's current size.
fn compile(renderer: &frame::Renderer, swapchain: &Swapchain) -> Result<Compiled, Error> {
    let desc = swapchain.desc();
    let (width, height) = (desc.extent.width, desc.extent.height);
    let mut graph: Graph<FrameData> = Graph::new();
    let output = graph.transient_image(
        "output",
        ImageDesc::new_2d(
            vk::Format::R8G8B8A8_UNORM,
            width,
            height,
            vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::TRANSFER_SRC,
        ),
    )?;
    let swapchain_image = graph.external_image("swapchain", desc)?;
    let bloom = graph.condition("bloom")?;
    renderer.record(
        &mut graph,
        output,
        width,
        height,
        |data: &FrameData| data.angle,
        Some(bloom),
    )?;
    graph
        .task("blit to swapchain")
        .attach(output, access::BLIT_SRC)
        .attach(swapchain_image, access::BLIT_DST)
        .run(move |cx| {
            let layers = vk::ImageSubresourceLayers {
                aspect_mask: vk::ImageAspectFlags::COLOR,
                mip_level: 0,
                base_array_layer: 0,
                layer_count: 1,
            };
            let corner = vk::Offset3D {
                x: width as i32,
                y: height as i32,
                z: 1,
            };
            let region = vk::ImageBlit {
                src_subresource: layers,
                src_offsets: [vk::Offset3D::default(), corner],
                dst_subresource: layers,
                dst_offsets: [vk::Offset3D::default(), corner],
            };
            let (src, dst) = (cx.image(output)?, cx.image(swapchain_image)?);
            // SAFETY: recording; the plan put both images in their transfer layouts.
            unsafe {
                cx.device().cmd_blit_image(
                    cx.cmd(),
                    src,
                    vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                    dst,
                    vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                    &[region],
                    vk::Filter::NEAREST,
                )
            };
            Ok(())
        })
        .record()?;
    graph.present(swapchain_image)?;
    graph.plan()?;
    Ok(Compiled {
        graph,
        bloom,
        swapchain_image,
        size: (width, height),
    })
}

impl App {
    fn start(&mut self, event_loop: &ActiveEventLoop) -> Result<(), Error> {
        let attributes = Window::default_attributes()
            .with_title("weft renderer")
            .with_inner_size(PhysicalSize::new(640, 480));
        let window = Arc::new(event_loop.create_window(attributes)?);
        let ctx = Arc::new(Context::new(&ContextOptions {
            display: Some(window.display_handle()?.as_raw()),
            ..ContextOptions::validated()
        })?);
        let size = window.inner_size();
        let swapchain = Swapchain::new(&ctx, &*window, size.width.max(1), size.height.max(1))?;
        let renderer = frame::Renderer::new(&ctx, include_str!("../../assets/icosphere.obj"))?;
        let compiled = compile(&renderer, &swapchain)?;
        let mut executor =
            Executor::with_transient_copies(&ctx, 2, self.harness.transient_copies())?;
        executor.time_gpu_frames(true)?;
        self.trace = self
            .harness
            .trace_frames()
            .map(|n| trace::FrameTrace::start(n, &mut executor));
        println!("device: {}", ctx.device_name());
        self.running = Some(Running {
            window,
            ctx,
            swapchain,
            renderer,
            executor,
            compiled,
        });
        self.harness.started();
        Ok(())
    }

    /// Rebuilds the swapchain (and the graph, when the size changed).
    fn rebuild(running: &mut Running) -> Result<(), Error> {
        let size = running.window.inner_size();
        if size.width == 0 || size.height == 0 {
            return Ok(());
        }
        running.swapchain.recreate(size.width, size.height)?;
        let desc = running.swapchain.desc();
        if (desc.extent.width, desc.extent.height) != running.compiled.size {
            running.compiled = compile(&running.renderer, &running.swapchain)?;
        }
        Ok(())
    }

    fn draw(&mut self) -> Result<(), Error> {
        let Some(running) = &mut self.running else {
            return Ok(());
        };
        if self.hidden {
            // Minimised or covered: nothing to draw (`about_to_wait` sleeps meanwhile).
            return Ok(());
        }
        let Some(acquired) = running.swapchain.acquire()? else {
            return Self::rebuild(running);
        };
        let (index, sync) = (acquired.index, acquired.sync);
        let c = &mut running.compiled;
        let mut data = FrameData {
            angle: self.frames as f32 * 0.02,
        };
        c.graph.bind_image(c.swapchain_image, acquired.image)?;
        let bloom = self.harness.bloom_for_frame(self.frames);
        c.graph.set_condition(c.bloom, bloom)?;
        running
            .executor
            .execute_presenting(&mut c.graph, &mut data, sync)?;
        if !running.swapchain.present(index)? {
            Self::rebuild(running)?;
        }
        self.frames += 1;
        self.gpu_times.extend(running.executor.gpu_frame_time());
        if let Some(trace) = &mut self.trace {
            trace.collect(&mut running.executor, &mut running.compiled.graph)?;
        }
        let now = Instant::now();
        if let Some(last) = self.last.replace(now) {
            let ms = (now - last).as_secs_f64() * 1e3;
            running.window.set_title(&format!(
                "weft renderer - {ms:.1} ms/frame - frame {}",
                self.frames
            ));
        }
        self.harness.frame_drawn(&running.window, self.frames);
        Ok(())
    }

    /// Ends the run: the harness times it, lets the GPU finish the frames in flight
    /// (`wait_idle`), then checks and reports.
    fn finish(&mut self, event_loop: &ActiveEventLoop) {
        if let (Some(trace), Some(running)) = (&mut self.trace, &mut self.running) {
            if let Err(e) = trace.finish(&mut running.executor, &mut running.compiled.graph) {
                self.error = Some(format!("trace: {e}"));
            }
        }
        let running = self.running.as_ref();
        let wait_idle = || {
            if let Some(running) = running {
                let _ = running.executor.wait_idle();
            }
        };
        if let Some(running) = running {
            println!("{}", running.executor.transient_memory());
        }
        if !self.gpu_times.is_empty() {
            let total: Duration = self.gpu_times.iter().sum();
            println!(
                "GPU time per frame: mean {:.2} ms over {} frames",
                total.as_secs_f64() * 1e3 / self.gpu_times.len() as f64,
                self.gpu_times.len()
            );
        }
        let ctx = running.map(|r| &*r.ctx);
        if let Err(e) = self.harness.finish(self.frames, ctx, wait_idle) {
            self.error = Some(e);
        }
        event_loop.exit();
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.running.is_none() {
            if let Err(e) = self.start(event_loop) {
                self.error = Some(e.to_string());
                event_loop.exit();
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let result = match event {
            WindowEvent::CloseRequested => {
                self.finish(event_loop);
                Ok(())
            }
            WindowEvent::Resized(size) => match &mut self.running {
                Some(running) if size.width > 0 && size.height > 0 => {
                    if (size.width, size.height) != running.compiled.size {
                        self.harness.resized();
                    }
                    Self::rebuild(running)
                }
                _ => Ok(()),
            },
            WindowEvent::RedrawRequested => self.draw(),
            WindowEvent::KeyboardInput { event, .. }
                if event.state.is_pressed() && event.logical_key == Key::Character("b".into()) =>
            {
                self.harness.toggle_bloom();
                Ok(())
            }
            WindowEvent::Occluded(occluded) => {
                self.occluded = occluded;
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.error = Some(e.to_string());
            event_loop.exit();
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if self.harness.should_quit(self.frames) {
            return self.finish(event_loop);
        }
        let Some(running) = &self.running else {
            return event_loop.set_control_flow(ControlFlow::Wait);
        };
        let hidden = hidden(&running.window, self.occluded);
        self.hidden = hidden;
        if let Err(e) = self
            .harness
            .about_to_wait(&running.window, hidden, self.frames)
        {
            self.error = Some(e);
            return event_loop.exit();
        }
        if hidden {
            // Nothing to show: sleep, and look again now and then (on X11, being restored
            // sends no event this loop hears of).
            event_loop.set_control_flow(ControlFlow::WaitUntil(Instant::now() + HIDDEN_POLL));
        } else if let Some(running) = &self.running {
            event_loop.set_control_flow(ControlFlow::Poll);
            running.window.request_redraw();
        }
    }
}

/// True when the window shows nothing: minimised (a zero size on some platforms, a window
/// manager's hidden state on X11) or fully covered. Asks the X server (a round trip, some
/// tens of microseconds); the loop looks once per iteration, that is once per frame.
fn hidden(window: &Window, occluded: bool) -> bool {
    let size = window.inner_size();
    size.width == 0 || size.height == 0 || occluded || window.is_minimized() == Some(true)
}

fn main() -> Result<(), Error> {
    let harness = Harness::from_args()?;
    let event_loop = EventLoop::new()?;
    let mut app = App {
        harness,
        ..App::default()
    };
    event_loop.run_app(&mut app)?;
    match app.error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
