//! A small renderer driven by one weft graph per window size: instanced lit spheres with
//! depth, a compute bloom over mips, tonemapping, and a blit into the swapchain image, which
//! the graph presents. Frame time in the window title.
//!
//! `cargo run --release --example renderer` (needs a display; `cargo xtask test` runs it
//! under Xvfb). Options: `--frames N` quits after N frames, `--resize` resizes the window
//! at a third and at two thirds of them, `--minimize` minimises the window for a second
//! half-way (it needs a window manager; the frame loop must draw nothing and sleep meanwhile),
//! `--report PATH` writes frames, resizes, fps and validation messages there.

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft::prelude::*;
use weft::runtime::raw_window_handle::HasDisplayHandle;
use weft::runtime::{Context, ContextOptions, Executor, Graph, Swapchain};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::window::{Window, WindowId};

mod frame;

/// Per-frame data passed to the graph's callbacks.
struct FrameData {
    angle: f32,
}

/// The graph of one window size, and its swapchain image (bound to the acquired image
/// every frame).
struct Compiled {
    graph: Graph<FrameData>,
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

#[derive(Default)]
struct Options {
    frames: Option<u64>,
    resize: bool,
    minimize: bool,
    report: Option<String>,
    /// After the last frame, take a screenshot of the X display (`xwd` + `convert`) into
    /// this PNG and compare it with `golden` (when given).
    screenshot: Option<String>,
    golden: Option<String>,
}

/// How long `--minimize` keeps the window minimised, and how long the window manager may
/// take to minimise or restore it.
const MINIMIZED_FOR: Duration = Duration::from_secs(1);
const WINDOW_MANAGER_TIMEOUT: Duration = Duration::from_secs(10);
const ASK_AGAIN: Duration = Duration::from_millis(500);

/// While the window shows nothing, the frame loop wakes up this often to look again.
const HIDDEN_POLL: Duration = Duration::from_millis(100);

/// The `--minimize` check, step by step.
#[derive(Clone, Copy, Debug, Default)]
enum MinimizeCheck {
    #[default]
    NotYet,
    /// Minimising was first asked for at `at`, last at `asked`.
    Requested {
        at: Instant,
        asked: Instant,
    },
    /// Minimised since `since`; the loop woke up `wakeups` times and had drawn `frames`.
    Minimized {
        since: Instant,
        frames: u64,
        wakeups: u64,
    },
    /// Restoring was asked for at `at`, after `report`.
    Restoring {
        at: Instant,
        report: MinimizedReport,
    },
    Done(MinimizedReport),
}

/// What the frame loop did while the window was minimised.
#[derive(Clone, Copy, Debug)]
struct MinimizedReport {
    seconds: f64,
    frames_drawn: u64,
    wakeups: u64,
}

#[derive(Default)]
struct App {
    options: Options,
    running: Option<Running>,
    frames: u64,
    resizes: u64,
    /// The last `Occluded` event said the window is fully covered.
    occluded: bool,
    /// The window showed nothing when the loop last looked (see [`hidden`]).
    hidden: bool,
    minimize: MinimizeCheck,
    started: Option<Instant>,
    last: Option<Instant>,
    error: Option<String>,
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
    renderer.record(&mut graph, output, width, height, |data: &FrameData| {
        data.angle
    })?;
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
        let executor = Executor::new(&ctx)?;
        println!("device: {}", ctx.device_name());
        self.running = Some(Running {
            window,
            ctx,
            swapchain,
            renderer,
            executor,
            compiled,
        });
        self.started = Some(Instant::now());
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
        running
            .executor
            .execute_presenting(&mut c.graph, &mut data, sync)?;
        if !running.swapchain.present(index)? {
            Self::rebuild(running)?;
        }
        self.frames += 1;
        let now = Instant::now();
        if let Some(last) = self.last.replace(now) {
            let ms = (now - last).as_secs_f64() * 1e3;
            running.window.set_title(&format!(
                "weft renderer - {ms:.1} ms/frame - frame {}",
                self.frames
            ));
        }
        if let Some(total) = self.options.frames {
            if self.options.minimize && self.frames == total / 2 {
                running.window.set_minimized(true);
                self.minimize = MinimizeCheck::Requested {
                    at: now,
                    asked: now,
                };
            }
            if self.options.resize && (self.frames == total / 3 || self.frames == 2 * total / 3) {
                let size = if self.frames == total / 3 {
                    PhysicalSize::new(480, 360)
                } else {
                    PhysicalSize::new(640, 480)
                };
                // Applied later, through a `Resized` event.
                let _ = running.window.request_inner_size(size);
            }
        }
        Ok(())
    }

    fn finish(&mut self, event_loop: &ActiveEventLoop) {
        let elapsed = self.started.map_or(Duration::ZERO, |s| s.elapsed());
        let fps = self.frames as f64 / elapsed.as_secs_f64().max(1e-9);
        let messages = self
            .running
            .as_ref()
            .map_or(0, |r| r.ctx.validation_messages());
        if let Some(running) = &self.running {
            let _ = running.executor.wait_idle();
        }
        if let Some(path) = &self.options.screenshot {
            if let Err(e) = screenshot(path, self.options.golden.as_deref()) {
                self.error = Some(format!("screenshot: {e}"));
            }
        }
        let mut report = format!(
            "frames {}\nresizes {}\nfps {fps:.1}\nvalidation messages {messages}\n",
            self.frames, self.resizes
        );
        if self.options.minimize {
            match self.minimize {
                MinimizeCheck::Done(m) => {
                    report += &format!(
                        "minimized {:.2} s: {} frames drawn, {} wakeups\n",
                        m.seconds, m.frames_drawn, m.wakeups
                    );
                    // Asleep but for a look every `HIDDEN_POLL` (and a few window events).
                    let allowed = (m.seconds / HIDDEN_POLL.as_secs_f64()).ceil() as u64 + 10;
                    if m.frames_drawn > 0 || m.wakeups > allowed {
                        self.error = Some(format!(
                            "while minimised the frame loop drew {} frames and woke up {} \
                             times (at most {allowed})",
                            m.frames_drawn, m.wakeups
                        ));
                    }
                }
                other => self.error = Some(format!("the minimise check did not finish: {other:?}")),
            }
        }
        print!("{report}");
        if let Some(path) = &self.options.report {
            if let Err(e) = std::fs::write(path, &report) {
                self.error = Some(format!("{path}: {e}"));
            }
        }
        if messages > 0 {
            let log = self
                .running
                .as_ref()
                .map(|r| r.ctx.validation_log().join("\n"));
            self.error = Some(format!("validation messages:\n{}", log.unwrap_or_default()));
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
                        self.resizes += 1;
                    }
                    Self::rebuild(running)
                }
                _ => Ok(()),
            },
            WindowEvent::RedrawRequested => self.draw(),
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
        if self
            .options
            .frames
            .is_some_and(|total| self.frames >= total)
        {
            return self.finish(event_loop);
        }
        let Some(running) = &self.running else {
            return event_loop.set_control_flow(ControlFlow::Wait);
        };
        let hidden = hidden(&running.window, self.occluded);
        self.hidden = hidden;
        if let Err(e) = self.check_minimize(hidden) {
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

impl App {
    /// Moves the `--minimize` check on, once per loop iteration.
    fn check_minimize(&mut self, hidden: bool) -> Result<(), String> {
        let Some(running) = &self.running else {
            return Ok(());
        };
        let now = Instant::now();
        self.minimize = match self.minimize {
            MinimizeCheck::Requested { .. } if hidden => MinimizeCheck::Minimized {
                since: now,
                frames: self.frames,
                wakeups: 0,
            },
            MinimizeCheck::Requested { at, .. } if now - at > WINDOW_MANAGER_TIMEOUT => {
                return Err("the window was not minimised: is a window manager running?".into())
            }
            MinimizeCheck::Requested { at, asked } if now - asked >= ASK_AGAIN => {
                // A window manager that started late missed the first request (a message
                // only a running one acts on).
                running.window.set_minimized(true);
                MinimizeCheck::Requested { at, asked: now }
            }
            MinimizeCheck::Minimized {
                since,
                frames,
                wakeups,
            } if now - since >= MINIMIZED_FOR => {
                running.window.set_minimized(false);
                MinimizeCheck::Restoring {
                    at: now,
                    report: MinimizedReport {
                        seconds: (now - since).as_secs_f64(),
                        frames_drawn: self.frames - frames,
                        wakeups,
                    },
                }
            }
            MinimizeCheck::Minimized {
                since,
                frames,
                wakeups,
            } => MinimizeCheck::Minimized {
                since,
                frames,
                wakeups: wakeups + 1,
            },
            MinimizeCheck::Restoring { report, .. } if !hidden => MinimizeCheck::Done(report),
            MinimizeCheck::Restoring { at, .. } if now - at > WINDOW_MANAGER_TIMEOUT => {
                return Err("the minimised window was not restored".into())
            }
            other => other,
        };
        Ok(())
    }
}

/// True when the window shows nothing: minimised (a zero size on some platforms, a window
/// manager's hidden state on X11) or fully covered. Asks the X server (a round trip, some
/// tens of microseconds); the loop looks once per iteration, that is once per frame.
fn hidden(window: &Window, occluded: bool) -> bool {
    let size = window.inner_size();
    size.width == 0 || size.height == 0 || occluded || window.is_minimized() == Some(true)
}

/// Captures the X display into `path` and compares it with `golden`: at most 1 % of the
/// pixels may differ by more than 8 levels in a channel (software rasterisation and the
/// X server's visual may round a little differently).
fn screenshot(path: &str, golden: Option<&str>) -> Result<(), Error> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("xwd -root -silent | convert xwd:- png:{path}"))
        .status()?;
    if !status.success() {
        return Err(format!("xwd | convert failed ({status})").into());
    }
    println!("screenshot: {path}");
    let Some(golden) = golden else {
        return Ok(());
    };
    let (shot, golden_pixels) = (rgb(path)?, rgb(golden)?);
    if shot.1 != golden_pixels.1 {
        return Err(format!("{path} is {:?}, {golden} is {:?}", shot.1, golden_pixels.1).into());
    }
    let differing = shot
        .0
        .chunks_exact(3)
        .zip(golden_pixels.0.chunks_exact(3))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 8))
        .count();
    let total = shot.0.len() / 3;
    println!("screenshot vs {golden}: {differing} of {total} pixels differ");
    if differing * 100 > total {
        return Err(format!("{differing} of {total} pixels differ from {golden}").into());
    }
    Ok(())
}

/// A PNG's pixels as RGB, and its size.
fn rgb(path: &str) -> Result<(Vec<u8>, (u32, u32)), Error> {
    let mut reader = png::Decoder::new(std::fs::File::open(path)?).read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer)?;
    let data = &buffer[..info.buffer_size()];
    let pixels = match info.color_type {
        png::ColorType::Rgb => data.to_vec(),
        png::ColorType::Rgba => data
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
        other => return Err(format!("{path}: colour type {other:?}").into()),
    };
    Ok((pixels, (info.width, info.height)))
}

fn main() -> Result<(), Error> {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--frames" => options.frames = Some(args.next().ok_or("--frames N")?.parse()?),
            "--resize" => options.resize = true,
            "--minimize" => options.minimize = true,
            "--report" => options.report = Some(args.next().ok_or("--report PATH")?),
            "--screenshot" => options.screenshot = Some(args.next().ok_or("--screenshot PATH")?),
            "--golden" => options.golden = Some(args.next().ok_or("--golden PATH")?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let event_loop = EventLoop::new()?;
    let mut app = App {
        options,
        ..App::default()
    };
    event_loop.run_app(&mut app)?;
    match app.error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
