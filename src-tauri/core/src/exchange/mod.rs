//! What crosses the desk's edge on a USB stick: case archives (`archive`: export, safe writing, verified
//! import), backups of the whole register (`backup`) and the drives to write them to (`drives`). It must
//! not trust what it reads from a stick, nor leave a half-written file under a final name.

pub mod archive;
pub mod backup;
pub mod drives;
