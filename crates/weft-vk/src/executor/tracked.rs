//! Where the bridging phases find the synchronisation states of the real resources bound
//! to a plan's virtual ones: the executor's bindings, or the cross-execution tests' fake
//! resources.

use ash::vk;
use weft_graph::ImageDesc;

use crate::bindings::Bound;
use crate::stamped::Stamped;
use crate::state::{AccessState, BufferStates};

/// Where the bridging phases find the state of the real resource bound to a virtual one.
pub(crate) trait Tracked {
    /// The byte-range states of the buffer bound to `resource`.
    fn buffer_states(&self, resource: u32) -> Option<&Stamped<BufferStates>>;
    /// The subresource states, description and handle of the image bound to `resource`.
    fn image_states(
        &self,
        resource: u32,
    ) -> Option<(&Stamped<Vec<AccessState>>, &ImageDesc, vk::Image)>;
}

impl Tracked for [Option<Bound>] {
    fn buffer_states(&self, resource: u32) -> Option<&Stamped<BufferStates>> {
        match self.get(resource as usize) {
            Some(Some(Bound::Buffer(buffer))) => Some(&buffer.state),
            _ => None,
        }
    }

    fn image_states(
        &self,
        resource: u32,
    ) -> Option<(&Stamped<Vec<AccessState>>, &ImageDesc, vk::Image)> {
        match self.get(resource as usize) {
            Some(Some(Bound::Image(image))) => Some((&image.units, image.desc(), image.raw)),
            _ => None,
        }
    }
}
