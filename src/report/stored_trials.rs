//! A stored run's trials read back row by row, whichever file the run kept: `trials.csv` or
//! `trials.parquet`. Only the columns asked for are read (from Parquet, only their column
//! chunks), one row at a time, so memory stays flat at any trial count.
//!
//! Both files hold the same numbers: trials.csv prints every double in Rust's shortest form
//! that reads back to the same bits, and trials.parquet stores them as they are, so a run kept
//! as CSV pairs with one kept as Parquet exactly as two CSV runs do.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::record::reader::RowIter;
use parquet::schema::types::Type;

use super::reason;

/// The file names a run's trials can be kept in, in the order they are looked for.
pub const TRIALS_FILES: [&str; 2] = ["trials.csv", "trials.parquet"];

/// A run's trials file opened for reading, with the columns chosen by [`StoredTrials::select`].
pub(super) struct StoredTrials {
    /// The file, for messages.
    pub path: String,
    /// Its column names, in order.
    pub columns: Vec<String>,
    source: Source,
    /// Rows read so far.
    rows: u64,
}

enum Source {
    Csv {
        reader: csv::Reader<File>,
        record: csv::StringRecord,
        /// The chosen columns' positions.
        chosen: Vec<usize>,
    },
    Parquet {
        reader: Option<Box<dyn FileReader>>,
        rows: Option<RowIter<'static>>,
        /// The chosen columns' names, in the order asked for.
        chosen: Vec<String>,
        /// Where each chosen column is in a row of the projection, once the first row says.
        order: Vec<usize>,
    },
}

impl StoredTrials {
    /// Opens `dir/name`, `name` one of [`TRIALS_FILES`].
    ///
    /// # Errors
    /// Why the file cannot be read (naming it).
    pub fn open(dir: &Path, name: &str) -> Result<StoredTrials, String> {
        let path = dir.join(name);
        let shown = path.display().to_string();
        if name.ends_with(".parquet") {
            let file = File::open(&path).map_err(|e| format!("{shown}: {}", reason(&e)))?;
            let reader = SerializedFileReader::new(file).map_err(|e| format!("{shown}: {e}"))?;
            let columns = reader
                .metadata()
                .file_metadata()
                .schema()
                .get_fields()
                .iter()
                .map(|f| f.name().to_string())
                .collect();
            Ok(StoredTrials {
                path: shown,
                columns,
                source: Source::Parquet {
                    reader: Some(Box::new(reader)),
                    rows: None,
                    chosen: Vec::new(),
                    order: Vec::new(),
                },
                rows: 0,
            })
        } else {
            let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{shown}: {e}"))?;
            let columns = reader
                .headers()
                .map_err(|e| format!("{shown}: {e}"))?
                .iter()
                .map(str::to_string)
                .collect();
            Ok(StoredTrials {
                path: shown,
                columns,
                source: Source::Csv {
                    reader,
                    record: csv::StringRecord::new(),
                    chosen: Vec::new(),
                },
                rows: 0,
            })
        }
    }

    /// Chooses the columns [`StoredTrials::next`] reads, by name, before the first row.
    ///
    /// # Errors
    /// A name the file has no column of.
    pub fn select(&mut self, names: &[String]) -> Result<(), String> {
        let positions = names
            .iter()
            .map(|n| {
                self.columns
                    .iter()
                    .position(|c| c == n)
                    .ok_or_else(|| format!("{}: no column '{n}'", self.path))
            })
            .collect::<Result<Vec<_>, _>>()?;
        match &mut self.source {
            Source::Csv { chosen, .. } => *chosen = positions,
            Source::Parquet {
                reader,
                rows,
                chosen,
                ..
            } => {
                let Some(file) = reader.take() else {
                    return Err(format!("{}: columns chosen twice", self.path));
                };
                let schema = file.metadata().file_metadata().schema();
                let fields = schema
                    .get_fields()
                    .iter()
                    .filter(|f| names.iter().any(|n| n == f.name()))
                    .cloned()
                    .collect::<Vec<Arc<Type>>>();
                let projection = Type::group_type_builder(schema.name())
                    .with_fields(fields)
                    .build()
                    .map_err(|e| format!("{}: {e}", self.path))?;
                *rows = Some(
                    RowIter::from_file_into(file)
                        .project(Some(projection))
                        .map_err(|e| format!("{}: {e}", self.path))?,
                );
                *chosen = names.to_vec();
            }
        }
        Ok(())
    }

    /// Reads the next row's chosen columns into `out` (NaN for an empty field or a null);
    /// false at the end of the file.
    ///
    /// # Errors
    /// A row that cannot be read, or a field that is not a number (naming the file and row).
    pub fn next(&mut self, out: &mut Vec<f64>) -> Result<bool, String> {
        out.clear();
        let row_no = self.rows + 1;
        match &mut self.source {
            Source::Csv {
                reader,
                record,
                chosen,
            } => {
                if !reader
                    .read_record(record)
                    .map_err(|e| format!("{}: {e}", self.path))?
                {
                    return Ok(false);
                }
                for &c in chosen.iter() {
                    let text = record.get(c).unwrap_or("");
                    out.push(if text.is_empty() {
                        f64::NAN
                    } else {
                        text.parse().map_err(|_| {
                            format!("{}: row {row_no}: '{text}' is not a number", self.path)
                        })?
                    });
                }
            }
            Source::Parquet {
                rows,
                chosen,
                order,
                ..
            } => {
                let Some(iter) = rows.as_mut() else {
                    return Err(format!("{}: no columns chosen", self.path));
                };
                let Some(row) = iter.next() else {
                    return Ok(false);
                };
                let row = row.map_err(|e| format!("{}: row {row_no}: {e}", self.path))?;
                if order.is_empty() {
                    let names: Vec<&String> = row.get_column_iter().map(|(n, _)| n).collect();
                    for want in chosen.iter() {
                        let at = names.iter().position(|n| *n == want).ok_or_else(|| {
                            format!("{}: no column '{want}' in its rows", self.path)
                        })?;
                        order.push(at);
                    }
                }
                let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
                for (&at, name) in order.iter().zip(chosen.iter()) {
                    let value = match fields.get(at) {
                        Some(Field::Null) => f64::NAN,
                        Some(Field::Double(x)) => *x,
                        Some(Field::Float(x)) => f64::from(*x),
                        Some(Field::Long(x)) => *x as f64,
                        Some(Field::Int(x)) => f64::from(*x),
                        Some(Field::ULong(x)) => *x as f64,
                        Some(Field::UInt(x)) => f64::from(*x),
                        other => {
                            return Err(format!(
                                "{}: row {row_no}: column '{name}' holds {}, not a number",
                                self.path,
                                other.map_or("nothing".to_string(), |f| f.to_string())
                            ));
                        }
                    };
                    out.push(value);
                }
            }
        }
        self.rows = row_no;
        Ok(true)
    }
}
