//! Recording: declare resources, add tasks with attachments (tasks are recorded with a
//! [`TaskBuilder`](crate::TaskBuilder)), explicit edges, submits and presents. Every misuse
//! is caught here, when the task is recorded, and named.

use ash::vk;

use crate::access::{Access, AccessUsage, DerivedAccess, ResourceKind};
use crate::compile::scratch::ScratchSlot;
use crate::condition::Conditions;
use crate::error::GraphError;
use crate::locality::Locality;
use crate::resource::{
    check_buffer_desc, check_image_desc, BufferDesc, GraphId, ImageDesc, Lifetime, ResourceDesc,
    ResourceInfo, ResourceSummary, TaskBuffer, TaskImage,
};
use crate::touch::{AccessTable, Present, TouchLists};
use crate::view::{resolve_buffer, resolve_image, Resolved, View, ViewProblem};

/// A task of one graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskId {
    pub(crate) graph: GraphId,
    pub(crate) index: u32,
}

impl TaskId {
    /// Position of the task in record order.
    pub fn index(self) -> u32 {
        self.index
    }
}

/// One attachment of a recorded task: the view as given, its access, and what the planner
/// derived from them.
#[derive(Clone, Copy, Debug)]
pub struct Attachment {
    /// The view as the user gave it.
    pub view: View,
    /// The access.
    pub access: Access,
    pub(crate) resource: u32,
    pub(crate) resolved: Resolved,
    pub(crate) derived: DerivedAccess,
}

impl Attachment {
    /// The index of the resource it touches.
    pub fn resource(&self) -> u32 {
        self.resource
    }

    /// The bytes or subresources it touches, as explicit ranges.
    pub fn subresources(&self) -> crate::view::Subresources {
        self.resolved.subresources()
    }

    /// The pipeline stages of the access (the constant's, as the planner reads them).
    pub fn stages(&self) -> vk::PipelineStageFlags2 {
        self.derived.stages
    }

    /// The Vulkan access flags it performs.
    pub fn access_flags(&self) -> vk::AccessFlags2 {
        self.derived.access
    }

    /// The layout an image must be in for it (`UNDEFINED` for buffers).
    pub fn layout(&self) -> vk::ImageLayout {
        self.derived.layout
    }
}

/// A recorded task.
pub(crate) struct TaskRecord<C> {
    pub name: String,
    pub attachments: std::ops::Range<usize>,
    pub callback: Option<C>,
    /// Indexes the graph's `guards`: the conditions the task runs under (all must hold).
    pub guards: std::ops::Range<u32>,
}

/// A recording of tasks over virtual resources.
///
/// `C` is the type of the task callbacks. The planner only stores them; the runtime calls
/// them when it replays a plan, so it picks a type like
/// `Box<dyn FnMut(&mut TaskContext<'_, U>)>` where `U` is the per-frame user data passed to
/// `execute`. Graphs used only for planning can use `()`.
pub struct TaskGraph<C = ()> {
    pub(crate) id: GraphId,
    pub(crate) resources: Vec<ResourceInfo>,
    /// What compile needs of each resource (same indices as `resources`).
    pub(crate) summaries: Vec<ResourceSummary>,
    pub(crate) tasks: Vec<TaskRecord<C>>,
    pub(crate) attachments: Vec<Attachment>,
    /// What compile reads of each attachment, by task (what compile's threads read of the
    /// tasks, whose callbacks need not be shareable between threads).
    pub(crate) touches: TouchLists,
    /// The distinct accesses the touches refer to.
    pub(crate) accesses: AccessTable,
    /// How close together tasks use the same resources.
    pub(crate) locality: Locality,
    /// `(task, earlier task)`: the task runs after the earlier one.
    pub(crate) after_edges: Vec<(u32, u32)>,
    /// Task counts at each submit boundary (strictly increasing, never 0).
    pub(crate) submits: Vec<u32>,
    pub(crate) presents: Vec<Present>,
    /// Declared conditions, scopes being recorded, and the tasks' guards.
    pub(crate) conditions: Conditions,
    /// `compile()`'s working memory, kept for the next compile.
    pub(crate) scratch: ScratchSlot,
    /// How many times a callback was lent mutably (see [`TaskGraph::callback_loans`]).
    callback_loans: u64,
}

impl<C> Default for TaskGraph<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> TaskGraph<C> {
    /// An empty graph.
    pub fn new() -> Self {
        Self {
            id: GraphId::next(),
            resources: Vec::new(),
            summaries: Vec::new(),
            tasks: Vec::new(),
            attachments: Vec::new(),
            touches: TouchLists::default(),
            accesses: AccessTable::default(),
            locality: Locality::default(),
            after_edges: Vec::new(),
            submits: Vec::new(),
            presents: Vec::new(),
            conditions: Conditions::default(),
            scratch: ScratchSlot::default(),
            callback_loans: 0,
        }
    }

    fn declare(
        &mut self,
        name: &str,
        lifetime: Lifetime,
        desc: ResourceDesc,
    ) -> Result<u32, GraphError> {
        let checked = match &desc {
            ResourceDesc::Buffer(b) => check_buffer_desc(b),
            ResourceDesc::Image(i) => check_image_desc(i),
        };
        checked.map_err(|problem| GraphError::InvalidDescription {
            resource: name.to_owned(),
            problem,
        })?;
        let index = self.resources.len() as u32;
        self.summaries.push(ResourceSummary::new(lifetime, &desc));
        self.locality.add_resource();
        self.resources.push(ResourceInfo {
            name: self.conditions.scoped(name),
            lifetime,
            desc,
        });
        Ok(index)
    }

    /// Declares a buffer the user assigns before each execution.
    pub fn external_buffer(
        &mut self,
        name: &str,
        desc: BufferDesc,
    ) -> Result<TaskBuffer, GraphError> {
        let index = self.declare(name, Lifetime::External, ResourceDesc::Buffer(desc))?;
        Ok(TaskBuffer {
            graph: self.id,
            index,
        })
    }

    /// Declares a buffer the graph creates for one execution.
    pub fn transient_buffer(
        &mut self,
        name: &str,
        desc: BufferDesc,
    ) -> Result<TaskBuffer, GraphError> {
        let index = self.declare(name, Lifetime::Transient, ResourceDesc::Buffer(desc))?;
        Ok(TaskBuffer {
            graph: self.id,
            index,
        })
    }

    /// Declares an image the user assigns before each execution (a persistent image or a
    /// swapchain image).
    pub fn external_image(&mut self, name: &str, desc: ImageDesc) -> Result<TaskImage, GraphError> {
        let index = self.declare(name, Lifetime::External, ResourceDesc::Image(desc))?;
        Ok(TaskImage {
            graph: self.id,
            index,
        })
    }

    /// Declares an image the graph creates for one execution.
    pub fn transient_image(
        &mut self,
        name: &str,
        desc: ImageDesc,
    ) -> Result<TaskImage, GraphError> {
        let index = self.declare(name, Lifetime::Transient, ResourceDesc::Image(desc))?;
        Ok(TaskImage {
            graph: self.id,
            index,
        })
    }

    /// Orders `task` after `earlier` even though no attachment says so (side effects the
    /// graph cannot see). `earlier` must have been recorded before `task`.
    pub fn after(&mut self, task: TaskId, earlier: TaskId) -> Result<(), GraphError> {
        if task.graph != self.id || task.index as usize >= self.tasks.len() {
            return Err(GraphError::ForeignTask {
                task: format!("#{}", task.index),
                other: task.index,
            });
        }
        self.check_after(task.index, earlier)?;
        self.after_edges.push((task.index, earlier.index));
        Ok(())
    }

    pub(crate) fn check_after(&self, task: u32, earlier: TaskId) -> Result<(), GraphError> {
        let name = |i: u32| {
            self.tasks
                .get(i as usize)
                .map_or_else(|| format!("#{i}"), |t| t.name.clone())
        };
        if earlier.graph != self.id || earlier.index as usize >= self.tasks.len() {
            return Err(GraphError::ForeignTask {
                task: name(task),
                other: earlier.index,
            });
        }
        if earlier.index == task {
            return Err(GraphError::AfterSelf { task: name(task) });
        }
        if earlier.index > task {
            return Err(GraphError::AfterLaterTask {
                task: name(task),
                other: name(earlier.index),
            });
        }
        Ok(())
    }

    /// Ends the current submit: tasks recorded from now on go into a later queue submission
    /// (joined by a semaphore) and run after every task recorded before.
    pub fn submit(&mut self) {
        let count = self.tasks.len() as u32;
        if count > 0 && self.submits.last() != Some(&count) {
            self.submits.push(count);
        }
    }

    /// Presents an external (swapchain) image at the end of the graph: after its last task
    /// it is moved to `PRESENT_SRC_KHR`. No task may touch it afterwards.
    pub fn present(&mut self, view: impl Into<View>) -> Result<(), GraphError> {
        let image = match view.into() {
            View::Buffer(b) => {
                return Err(GraphError::PresentOfBuffer {
                    resource: self.resource_name(
                        ResourceKind::Buffer,
                        b.buffer.graph,
                        b.buffer.index,
                    ),
                })
            }
            View::Image(i) => i,
        };
        let task = "present";
        let info = self.resource(
            task,
            ResourceKind::Image,
            image.image.graph,
            image.image.index,
        )?;
        let ResourceDesc::Image(desc) = &info.desc else {
            return Err(GraphError::PresentOfBuffer {
                resource: info.name.clone(),
            });
        };
        if info.lifetime == Lifetime::Transient {
            return Err(GraphError::PresentOfTransient {
                resource: info.name.clone(),
            });
        }
        if self
            .presents
            .iter()
            .any(|p| p.resource == image.image.index)
        {
            return Err(GraphError::AlreadyPresented {
                resource: info.name.clone(),
            });
        }
        let resolved = resolve_image(&image, desc).map_err(|p| view_error(task, &info.name, p))?;
        self.presents.push(Present {
            resource: image.image.index,
            resolved,
        });
        Ok(())
    }

    /// The declared resources, indexed by [`TaskBuffer::index`] / [`TaskImage::index`].
    pub fn resources(&self) -> &[ResourceInfo] {
        &self.resources
    }

    /// Number of recorded tasks.
    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    /// The name of a task.
    pub fn task_name(&self, index: u32) -> Option<&str> {
        self.tasks.get(index as usize).map(|t| t.name.as_str())
    }

    /// The attachments of a task, in the order they were attached.
    pub fn task_attachments(&self, index: u32) -> &[Attachment] {
        self.tasks
            .get(index as usize)
            .map_or(&[], |t| &self.attachments[t.attachments.clone()])
    }

    /// A number that grows with every change to the recording (a declared resource, a
    /// recorded task, an `after` edge, a submit, a present) and with nothing else: a plan
    /// compiled at one revision is stale at any other (see [`crate::Plan::is_current_for`]).
    pub fn revision(&self) -> u64 {
        // Every change appends to exactly one of these lists and nothing ever shrinks them,
        // so their total length counts the changes.
        (self.resources.len()
            + self.tasks.len()
            + self.after_edges.len()
            + self.submits.len()
            + self.presents.len()
            + self.conditions.names.len()) as u64
    }

    /// True when `view` is of a resource declared in this graph.
    pub fn owns(&self, view: impl Into<View>) -> bool {
        self.resource_of(view).is_some()
    }

    /// The resource `view` is of, when it was declared in this graph.
    pub fn resource_of(&self, view: impl Into<View>) -> Option<&ResourceInfo> {
        let (graph, index) = match view.into() {
            View::Buffer(v) => (v.buffer.graph, v.buffer.index),
            View::Image(v) => (v.image.graph, v.image.index),
        };
        (graph == self.id)
            .then(|| self.resources.get(index as usize))
            .flatten()
    }

    /// The description of `buffer`, when it was declared in this graph.
    pub fn buffer_desc(&self, buffer: TaskBuffer) -> Option<&BufferDesc> {
        match &self.resource_of(buffer)?.desc {
            ResourceDesc::Buffer(desc) => Some(desc),
            ResourceDesc::Image(_) => None,
        }
    }

    /// The description of `image`, when it was declared in this graph.
    pub fn image_desc(&self, image: TaskImage) -> Option<&ImageDesc> {
        match &self.resource_of(image)?.desc {
            ResourceDesc::Image(desc) => Some(desc),
            ResourceDesc::Buffer(_) => None,
        }
    }

    /// Which graph this is (plans and handles carry it).
    pub fn id(&self) -> GraphId {
        self.id
    }

    /// The positions of a task's attachments among all attachments of the graph (the
    /// indices of [`TaskGraph::attachment_ops`]).
    pub fn task_attachment_range(&self, index: u32) -> std::ops::Range<usize> {
        self.tasks
            .get(index as usize)
            .map_or(0..0, |t| t.attachments.clone())
    }

    /// A task's name, attachments (and the index of its first among all the graph's, as
    /// [`TaskGraph::attachment_ops`] orders them), the graph's resources and the task's
    /// callback at once, for the runtime to call the callback with the rest at hand (empty
    /// parts past the end).
    #[allow(clippy::type_complexity)]
    pub fn task_parts_mut(
        &mut self,
        index: u32,
    ) -> (&str, &[Attachment], usize, &[ResourceInfo], Option<&mut C>) {
        self.callback_loans += 1;
        match self.tasks.get_mut(index as usize) {
            Some(task) => (
                &task.name,
                self.attachments
                    .get(task.attachments.clone())
                    .unwrap_or(&[]),
                task.attachments.start,
                &self.resources,
                task.callback.as_mut(),
            ),
            None => ("", &[], 0, &self.resources, None),
        }
    }

    /// A task's callback, to change (`None` past the end or without one).
    pub fn task_callback_mut(&mut self, index: u32) -> Option<&mut C> {
        self.callback_loans += 1;
        self.tasks
            .get_mut(index as usize)
            .and_then(|t| t.callback.as_mut())
    }

    /// How many times a task's callback was lent mutably ([`TaskGraph::task_parts_mut`],
    /// [`TaskGraph::task_callback_mut`]): while it stays the same, no callback was replaced,
    /// so a runtime may keep what it read of the callbacks. (A runtime that lends callbacks
    /// itself knows how many loans were its own.)
    pub fn callback_loans(&self) -> u64 {
        self.callback_loans
    }

    /// Task `index`'s record (its name, attachments and callback), opaque: the runtime
    /// prefetches it a few tasks before it asks for its parts.
    pub fn task_record(&self, index: u32) -> Option<&impl Sized> {
        self.tasks.get(index as usize)
    }

    /// A task's callback, to look at (`None` past the end or without one).
    pub fn task_callback(&self, index: u32) -> Option<&C> {
        self.tasks
            .get(index as usize)
            .and_then(|t| t.callback.as_ref())
    }

    fn resource_name(&self, kind: ResourceKind, graph: GraphId, index: u32) -> String {
        match self.resources.get(index as usize) {
            Some(r) if graph == self.id => r.name.clone(),
            _ => format!("{kind} #{index} of another graph"),
        }
    }

    fn resource(
        &self,
        task: &str,
        kind: ResourceKind,
        graph: GraphId,
        index: u32,
    ) -> Result<&ResourceInfo, GraphError> {
        match self.resources.get(index as usize) {
            Some(info) if graph == self.id => Ok(info),
            _ => Err(GraphError::ForeignResource {
                task: task.to_owned(),
                kind,
                index,
            }),
        }
    }

    /// Checks one attachment and derives what the planner needs from it.
    pub(crate) fn check_attachment(
        &self,
        task: &str,
        view: View,
        access: Access,
    ) -> Result<Attachment, GraphError> {
        let (kind, graph, index) = match view {
            View::Buffer(b) => (ResourceKind::Buffer, b.buffer.graph, b.buffer.index),
            View::Image(i) => (ResourceKind::Image, i.image.graph, i.image.index),
        };
        let info = self.resource(task, kind, graph, index)?;
        let name = || info.name.clone();
        access
            .check(kind)
            .map_err(|problem| GraphError::of_access(task, &info.name, kind, access, problem))?;
        if self.presents.iter().any(|p| p.resource == index) {
            return Err(GraphError::UseAfterPresent {
                task: task.to_owned(),
                resource: name(),
            });
        }
        // The image's aspects pick layouts that depend on the format (input attachments).
        let mut aspects = None;
        let resolved = match (&info.desc, view) {
            (ResourceDesc::Buffer(desc), View::Buffer(v)) => {
                let needed = access.required_buffer_usage();
                if !desc.usage.contains(needed) {
                    return Err(missing_usage(task, info, access, format!("{needed:?}")));
                }
                resolve_buffer(&v, desc.size)
            }
            (ResourceDesc::Image(desc), View::Image(v)) => {
                let needed = access.required_image_usage();
                if !desc.usage.contains(needed) {
                    return Err(missing_usage(task, info, access, format!("{needed:?}")));
                }
                aspects = Some(desc.aspects());
                check_attachment_aspects(task, info, desc.aspects(), access)?;
                resolve_image(&v, desc)
            }
            // The handle's kind and the description's kind always agree: handles are only
            // made by `declare` with the matching description.
            _ => {
                return Err(GraphError::ForeignResource {
                    task: task.to_owned(),
                    kind,
                    index,
                })
            }
        }
        .map_err(|p| view_error(task, &info.name, p))?;
        Ok(Attachment {
            view,
            access,
            resource: index,
            resolved,
            derived: access.derive(aspects),
        })
    }
}

fn missing_usage(task: &str, info: &ResourceInfo, access: Access, needed: String) -> GraphError {
    GraphError::MissingUsage {
        task: task.to_owned(),
        resource: info.name.clone(),
        access,
        needed,
    }
}

fn view_error(task: &str, resource: &str, problem: ViewProblem) -> GraphError {
    match problem {
        ViewProblem::Empty(problem) => GraphError::EmptyView {
            task: task.to_owned(),
            resource: resource.to_owned(),
            problem,
        },
        ViewProblem::OutOfBounds(problem) => GraphError::ViewOutOfBounds {
            task: task.to_owned(),
            resource: resource.to_owned(),
            problem,
        },
    }
}

/// Attachment accesses must match the image's aspects: color attachments need a color
/// format, depth/stencil attachments a depth or stencil format; presents a color format
/// (swapchain images are color images).
fn check_attachment_aspects(
    task: &str,
    info: &ResourceInfo,
    aspects: vk::ImageAspectFlags,
    access: Access,
) -> Result<(), GraphError> {
    let depth_stencil = vk::ImageAspectFlags::DEPTH | vk::ImageAspectFlags::STENCIL;
    let problem = match access.usage {
        AccessUsage::ColorAttachment if !aspects.contains(vk::ImageAspectFlags::COLOR) => {
            "a color attachment access on a depth/stencil image"
        }
        AccessUsage::DepthStencilAttachment if !aspects.intersects(depth_stencil) => {
            "a depth/stencil attachment access on a color image"
        }
        AccessUsage::Present if !aspects.contains(vk::ImageAspectFlags::COLOR) => {
            "a present access on a depth/stencil image"
        }
        _ => return Ok(()),
    };
    Err(GraphError::InvalidAccess {
        task: task.to_owned(),
        resource: info.name.clone(),
        access,
        problem: problem.into(),
    })
}
