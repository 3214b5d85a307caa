//! What crosses the desk's edge on a USB stick: case archives (`archive`: format, export, verified
//! import), backups of the whole register (`backup`), writing a file to a stick safely (`stick`), age
//! encryption (`crypt`) and the drives to write to (`drives`). It must
//! not trust what it reads from a stick, nor leave a half-written file under a final name.

pub mod archive;
pub mod backup;
pub mod crypt;
pub mod drives;
pub mod partners_file;
pub mod report_files;
pub mod stick;
