//! A window whose surface the device cannot present to: `Swapchain::new` returns
//! `VkError::CannotPresent` (and makes no swapchain), with no validation message.
//!
//! Lavapipe presents to windows of TrueColor and DirectColor X visuals only, so the test
//! starts its own Xvfb whose only screen is 8 bits deep (a PseudoColor root visual) and
//! opens its window there. It is the only test of this binary: it sets `DISPLAY` for winit,
//! and winit allows one event loop per process.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use weft::runtime::raw_window_handle::HasDisplayHandle;
use weft::runtime::{Context, ContextOptions, Swapchain, VkError};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::platform::x11::EventLoopBuilderExtX11;
use winit::window::{Window, WindowId};

/// An Xvfb server, stopped when dropped.
struct Xvfb(Child);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb with one 8-bit screen on a free display and returns it with its name.
fn start_8_bit_xvfb() -> (Xvfb, String) {
    let child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "320x240x8", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start Xvfb ({e}): install it (`apt-get install xvfb`; `cargo xtask test` does)")
        });
    let mut xvfb = Xvfb(child);
    // Xvfb writes its display number and a newline once it accepts connections.
    let mut number = String::new();
    if let Some(out) = xvfb.0.stdout.as_mut() {
        let mut byte = [0u8; 1];
        while out.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
            number.push(char::from(byte[0]));
        }
    }
    assert!(
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        "Xvfb did not report its display (got {number:?})"
    );
    (xvfb, format!(":{number}"))
}

/// What the window's swapchain attempt gave: its error (`None`: a swapchain was made), and
/// the validation message count and log.
type Outcome = Result<(Option<VkError>, usize, Vec<String>), String>;

/// Opens a window, makes a validated context for its display, and tries a swapchain.
#[derive(Default)]
struct Attempt {
    outcome: Option<Outcome>,
}

impl Attempt {
    fn run(event_loop: &ActiveEventLoop) -> Outcome {
        let attributes = Window::default_attributes()
            .with_title("weft: cannot present")
            .with_inner_size(PhysicalSize::new(64, 64));
        let window = event_loop
            .create_window(attributes)
            .map_err(|e| format!("cannot open a window on the 8-bit display: {e}"))?;
        let display = window
            .display_handle()
            .map_err(|e| format!("no display handle: {e}"))?
            .as_raw();
        let ctx = Context::new(&ContextOptions {
            display: Some(display),
            ..ContextOptions::validated()
        })
        .map_err(|e| format!("no usable Vulkan device: {e}"))?;
        let ctx = Arc::new(ctx);
        // A swapchain, if one is made, is dropped here, before its window.
        let error = Swapchain::new(&ctx, &window, 64, 64).err();
        Ok((error, ctx.validation_messages(), ctx.validation_log()))
    }
}

impl ApplicationHandler for Attempt {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.outcome.is_none() {
            self.outcome = Some(Self::run(event_loop));
        }
        event_loop.exit();
    }

    fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}
}

#[test]
fn a_window_the_device_cannot_present_to_is_an_error() {
    let (_xvfb, display) = start_8_bit_xvfb();
    // The only test of this binary (see the file's docs): nothing else reads the
    // environment meanwhile.
    std::env::set_var("DISPLAY", &display);
    let event_loop = EventLoop::builder()
        .with_any_thread(true)
        .build()
        .unwrap_or_else(|e| panic!("no event loop on Xvfb display {display}: {e}"));
    let mut attempt = Attempt::default();
    event_loop
        .run_app(&mut attempt)
        .unwrap_or_else(|e| panic!("event loop failed: {e}"));
    let (error, messages, log) = match attempt.outcome {
        Some(Ok(outcome)) => outcome,
        Some(Err(e)) => panic!("{e}"),
        None => panic!("the event loop never resumed"),
    };
    match error {
        Some(VkError::CannotPresent { device }) => {
            assert!(!device.is_empty(), "the error names no device");
            let text = VkError::CannotPresent {
                device: device.clone(),
            }
            .to_string();
            assert!(
                text.contains(&device) && text.contains("cannot present"),
                "{text}"
            );
        }
        Some(other) => panic!("expected CannotPresent, got {other:?}"),
        None => panic!("a swapchain was made for a window of a PseudoColor visual"),
    }
    assert_eq!(messages, 0, "{log:?}");
}
