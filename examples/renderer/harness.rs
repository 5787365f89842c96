//! The renderer's test harness, apart from the renderer: the command-line options
//! `cargo xtask test` runs it with, the window changes they ask for, the minimise check,
//! the screenshot and its golden comparison, and the report printed on exit.
//!
//! Options: `--frames N` quits after N frames, `--resize` resizes the window at a third and
//! at two thirds of them, `--minimize` minimises the window for a second half-way (it needs
//! a window manager; the frame loop must draw nothing and sleep meanwhile), `--report PATH`
//! writes frames, resizes, fps and validation messages there, `--screenshot PATH` captures
//! the X display after the last frame (`xwd` + `convert`) and `--golden PATH` compares that
//! capture with a PNG; `--shared-transients` gives both frames in flight one copy of the
//! transient memory; `--trace N` profiles N frames into a Chrome trace (`trace.rs`);
//! `--no-bloom` starts with the bloom off and `--toggle-bloom-at N` (repeatable) switches it
//! before frame N, as the B key does (the report counts the frames with and without).
//!
//! The renderer calls it at a few points of its frame loop: [`Harness::started`],
//! [`Harness::frame_drawn`], [`Harness::resized`], [`Harness::should_quit`] and
//! [`Harness::about_to_wait`] once per loop iteration, and [`Harness::finish`] on exit.

use std::time::{Duration, Instant};

use weft::runtime::Context;
use winit::dpi::PhysicalSize;
use winit::window::Window;

use crate::{Error, HIDDEN_POLL};

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
    /// One copy of the transients for both frames in flight (instead of one each).
    shared_transients: bool,
    /// Profile this many frames and write their trace (see `trace.rs`).
    trace: Option<usize>,
    /// Start with the bloom off (`--no-bloom`).
    no_bloom: bool,
    /// Frames before which the bloom is switched (`--toggle-bloom-at N`, repeatable), as
    /// the B key does.
    toggle_bloom_at: Vec<u64>,
}

/// How long `--minimize` keeps the window minimised, and how long the window manager may
/// take to minimise or restore it.
const MINIMIZED_FOR: Duration = Duration::from_secs(1);
const WINDOW_MANAGER_TIMEOUT: Duration = Duration::from_secs(10);
const ASK_AGAIN: Duration = Duration::from_millis(500);

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

/// The options and what the harness saw of the run.
#[derive(Default)]
pub struct Harness {
    options: Options,
    /// When the renderer was ready to draw (the start of the fps measurement).
    started: Option<Instant>,
    resizes: u64,
    minimize: MinimizeCheck,
    /// Whether the bloom is on, and the frames drawn with it on and off.
    bloom: bool,
    bloom_frames: [u64; 2],
}

impl Harness {
    /// Reads the options from the command line.
    pub fn from_args() -> Result<Harness, Error> {
        let mut options = Options::default();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--frames" => options.frames = Some(args.next().ok_or("--frames N")?.parse()?),
                "--resize" => options.resize = true,
                "--minimize" => options.minimize = true,
                "--report" => options.report = Some(args.next().ok_or("--report PATH")?),
                "--screenshot" => {
                    options.screenshot = Some(args.next().ok_or("--screenshot PATH")?)
                }
                "--golden" => options.golden = Some(args.next().ok_or("--golden PATH")?),
                "--shared-transients" => options.shared_transients = true,
                "--trace" => options.trace = Some(args.next().ok_or("--trace N")?.parse()?),
                "--no-bloom" => options.no_bloom = true,
                "--toggle-bloom-at" => options
                    .toggle_bloom_at
                    .push(args.next().ok_or("--toggle-bloom-at N")?.parse()?),
                other => return Err(format!("unknown argument {other}").into()),
            }
        }
        Ok(Harness {
            bloom: !options.no_bloom,
            options,
            ..Harness::default()
        })
    }

    /// How the frames in flight hold the transients (`--shared-transients`: one copy).
    pub fn transient_copies(&self) -> weft::runtime::TransientCopies {
        if self.options.shared_transients {
            weft::runtime::TransientCopies::Shared
        } else {
            weft::runtime::TransientCopies::PerFrame
        }
    }

    /// `--trace N`: the number of frames to trace.
    pub fn trace_frames(&self) -> Option<usize> {
        self.options.trace
    }

    /// Whether frame `frame` (counted from 0) draws the bloom: switched before the frames
    /// `--toggle-bloom-at` names; counted for the report.
    pub fn bloom_for_frame(&mut self, frame: u64) -> bool {
        if self.options.toggle_bloom_at.contains(&frame) {
            self.bloom = !self.bloom;
        }
        self.bloom_frames[usize::from(self.bloom)] += 1;
        self.bloom
    }

    /// The B key: switches the bloom.
    pub fn toggle_bloom(&mut self) {
        self.bloom = !self.bloom;
    }

    /// The window and the graph are ready: frames are counted from here.
    pub fn started(&mut self) {
        self.started = Some(Instant::now());
    }

    /// Frame `frames` was presented: asks for the window changes of `--minimize` and
    /// `--resize` when their frame has come.
    pub fn frame_drawn(&mut self, window: &Window, frames: u64) {
        let Some(total) = self.options.frames else {
            return;
        };
        if self.options.minimize && frames == total / 2 {
            window.set_minimized(true);
            let now = Instant::now();
            self.minimize = MinimizeCheck::Requested {
                at: now,
                asked: now,
            };
        }
        if self.options.resize && (frames == total / 3 || frames == 2 * total / 3) {
            let size = if frames == total / 3 {
                PhysicalSize::new(480, 360)
            } else {
                PhysicalSize::new(640, 480)
            };
            // Applied later, through a `Resized` event.
            let _ = window.request_inner_size(size);
        }
    }

    /// The window changed size (and the renderer compiled a graph for the new one).
    pub fn resized(&mut self) {
        self.resizes += 1;
    }

    /// True once `--frames` frames were drawn.
    pub fn should_quit(&self, frames: u64) -> bool {
        self.options.frames.is_some_and(|total| frames >= total)
    }

    /// Moves the `--minimize` check on, once per loop iteration, after the renderer looked
    /// whether the window shows anything (`hidden`); `frames` were drawn so far.
    pub fn about_to_wait(
        &mut self,
        window: &Window,
        hidden: bool,
        frames: u64,
    ) -> Result<(), String> {
        let now = Instant::now();
        self.minimize = match self.minimize {
            MinimizeCheck::Requested { .. } if hidden => MinimizeCheck::Minimized {
                since: now,
                frames,
                wakeups: 0,
            },
            MinimizeCheck::Requested { at, .. } if now - at > WINDOW_MANAGER_TIMEOUT => {
                return Err("the window was not minimised: is a window manager running?".into())
            }
            MinimizeCheck::Requested { at, asked } if now - asked >= ASK_AGAIN => {
                // A window manager that started late missed the first request (a message
                // only a running one acts on).
                window.set_minimized(true);
                MinimizeCheck::Requested { at, asked: now }
            }
            MinimizeCheck::Minimized {
                since,
                frames: before,
                wakeups,
            } if now - since >= MINIMIZED_FOR => {
                window.set_minimized(false);
                MinimizeCheck::Restoring {
                    at: now,
                    report: MinimizedReport {
                        seconds: (now - since).as_secs_f64(),
                        frames_drawn: frames - before,
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

    /// The run is over after `frames` frames: takes the screenshot and compares it, prints
    /// the report (and writes it with `--report`), and checks the minimise run and the
    /// validation messages of `ctx`. `wait_idle` lets the GPU finish the frames in flight,
    /// so that the screenshot shows the last one. The error is the last check that failed.
    pub fn finish(
        &mut self,
        frames: u64,
        ctx: Option<&Context>,
        wait_idle: impl FnOnce(),
    ) -> Result<(), String> {
        let elapsed = self.started.map_or(Duration::ZERO, |s| s.elapsed());
        let fps = frames as f64 / elapsed.as_secs_f64().max(1e-9);
        let messages = ctx.map_or(0, |ctx| ctx.validation_messages());
        wait_idle();
        let mut error = None;
        if let Some(path) = &self.options.screenshot {
            if let Err(e) = screenshot(path, self.options.golden.as_deref()) {
                error = Some(format!("screenshot: {e}"));
            }
        }
        let mut report = format!(
            "frames {frames}\nresizes {}\nfps {fps:.1}\nvalidation messages {messages}\n",
            self.resizes
        );
        let [off, on] = self.bloom_frames;
        report += &format!("bloom on {on} frames, off {off} frames\n");
        if !self.options.toggle_bloom_at.is_empty() && (on == 0 || off == 0) {
            error = Some(format!(
                "--toggle-bloom-at: {on} frames with bloom, {off} without"
            ));
        }
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
                        error = Some(format!(
                            "while minimised the frame loop drew {} frames and woke up {} \
                             times (at most {allowed})",
                            m.frames_drawn, m.wakeups
                        ));
                    }
                }
                other => error = Some(format!("the minimise check did not finish: {other:?}")),
            }
        }
        print!("{report}");
        if let Some(path) = &self.options.report {
            if let Err(e) = std::fs::write(path, &report) {
                error = Some(format!("{path}: {e}"));
            }
        }
        if messages > 0 {
            let log = ctx.map(|ctx| ctx.validation_log().join("\n"));
            error = Some(format!("validation messages:\n{}", log.unwrap_or_default()));
        }
        error.map_or(Ok(()), Err)
    }
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
