//! `trials.parquet`: the rows of `trials.csv` with typed columns, for pandas, polars, DuckDB
//! or Spark (`--save-trials parquet`).
//!
//! Columns, in the order of [`crate::engine::trial_columns`], typed by
//! [`crate::engine::ColumnKind`]: `trial` INT64; every input, metric and yearly figure DOUBLE
//! (the value drawn or computed, in its unit, as trials.csv has it: an input that is a date,
//! such as `ipo.date`, stays a decimal year, since a day would round the draw that the model
//! used); `first_shortfall` DATE (the day the step ends in which cash first fell below the
//! floor, as [`crate::summary::calendar_date`] reads it); `breakeven_year` and
//! `first_nonnegative_year` INT32; `ipo` BOOLEAN. A value trials.csv leaves empty (none: no
//! shortfall, no break-even) is a null; every column but `trial` and `ipo` is OPTIONAL.
//!
//! Rows are streamed: they are kept, column by column, only until [`ROW_GROUP`] of them make a
//! row group, which is then encoded (Snappy) and written, so memory is bounded by one row
//! group (`ROW_GROUP` × columns × 8 bytes, 73 MiB for base's 146 columns) at any trial count.
//! Like trials.csv it is the engine's [`TrialSink`], written into a temporary file and renamed
//! into place by [`TrialsParquet::finish`].

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{BoolType, DoubleType, Int32Type, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::{ColumnPath, Type};

use super::{ReportError, TrialsFile, reason, temp_path};
use crate::engine::{ColumnKind, TrialSink};
use crate::summary::{calendar_day, days_since_epoch};

/// Rows per row group: 64 Ki trials. A reader reads (and a writer holds) one row group at a
/// time; at base's 146 columns one is about 66 MB on disk (1,006 bytes a trial).
pub const ROW_GROUP: usize = 65_536;

/// `trials.parquet`, streamed row group by row group into a temporary file and renamed into
/// place by [`TrialsParquet::finish`]; dropped unfinished, it removes the temporary file.
pub struct TrialsParquet {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<SerializedFileWriter<BufWriter<File>>>,
    kinds: Vec<ColumnKind>,
    /// The rows of the row group being gathered, column by column.
    columns: Vec<Vec<f64>>,
    /// Rows per row group: [`ROW_GROUP`] (fewer in tests).
    row_group: usize,
}

/// The Parquet type of a column of `kind` named `name`.
fn column_type(name: &str, kind: ColumnKind) -> Result<Type, ParquetError> {
    let (physical, logical, repetition) = match kind {
        ColumnKind::Trial => (
            PhysicalType::INT64,
            Some(LogicalType::integer(64, true)),
            Repetition::REQUIRED,
        ),
        ColumnKind::Number => (PhysicalType::DOUBLE, None, Repetition::OPTIONAL),
        ColumnKind::Date => (
            PhysicalType::INT32,
            Some(LogicalType::Date),
            Repetition::OPTIONAL,
        ),
        ColumnKind::Year => (
            PhysicalType::INT32,
            Some(LogicalType::integer(32, true)),
            Repetition::OPTIONAL,
        ),
        ColumnKind::Flag => (PhysicalType::BOOLEAN, None, Repetition::REQUIRED),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(repetition)
        .with_logical_type(logical)
        .build()
}

impl TrialsParquet {
    /// Starts `dir/trials.parquet` with the given columns and their kinds (the same length).
    ///
    /// # Errors
    /// [`ReportError::Write`].
    pub fn create(
        dir: &Path,
        columns: &[String],
        kinds: &[ColumnKind],
    ) -> Result<TrialsParquet, ReportError> {
        let path = dir.join("trials.parquet");
        let tmp = temp_path(&path);
        let err = |reason: String| ReportError::Write {
            path: path.display().to_string(),
            reason,
        };
        if columns.len() != kinds.len() {
            return Err(err(format!(
                "{} column names but {} column kinds",
                columns.len(),
                kinds.len()
            )));
        }
        let fields = columns
            .iter()
            .zip(kinds)
            .map(|(name, &kind)| column_type(name, kind).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?;
        let schema = Type::group_type_builder("trials")
            .with_fields(fields)
            .build()
            .map_err(|e| err(e.to_string()))?;
        // Drawn and computed doubles hardly repeat: a dictionary would be built and dropped
        // for each of them (base's file was 23 % larger with one). The date and year columns
        // take few values and keep it. A column chunk is one page (64 Ki doubles < 1 MiB), so
        // page statistics and the offset index would repeat the chunk's: without them the
        // metadata the writer holds until the footer is about 250 bytes per column per row
        // group (bench.toml: +2.9 MiB from 1M to 10M trials, against +13.6 MiB with them).
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_offset_index_disabled(true)
            .set_created_by(format!("funding-gap {}", env!("CARGO_PKG_VERSION")));
        for (name, kind) in columns.iter().zip(kinds) {
            if matches!(kind, ColumnKind::Date | ColumnKind::Year) {
                props =
                    props.set_column_dictionary_enabled(ColumnPath::new(vec![name.clone()]), true);
            }
        }
        let file = File::create(&tmp).map_err(|e| err(reason(&e)))?;
        let writer = SerializedFileWriter::new(
            BufWriter::new(file),
            Arc::new(schema),
            Arc::new(props.build()),
        );
        let writer = match writer {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(err(e.to_string()));
            }
        };
        Ok(TrialsParquet {
            path,
            tmp,
            writer: Some(writer),
            kinds: kinds.to_vec(),
            columns: vec![Vec::with_capacity(ROW_GROUP); kinds.len()],
            row_group: ROW_GROUP,
        })
    }

    /// Writes the gathered rows as one row group.
    fn flush(&mut self) -> Result<(), ParquetError> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        if self.columns.first().is_none_or(Vec::is_empty) {
            return Ok(());
        }
        let mut group = writer.next_row_group()?;
        for (values, &kind) in self.columns.iter_mut().zip(&self.kinds) {
            let mut column = group.next_column()?.ok_or_else(|| {
                ParquetError::General("the schema has fewer columns than the rows".to_string())
            })?;
            write_column(&mut column, kind, values)?;
            column.close()?;
            values.clear();
        }
        group.close()?;
        Ok(())
    }

    /// Writes the last row group and the footer, and renames the file into place.
    ///
    /// # Errors
    /// [`ReportError::Write`].
    pub fn finish(mut self) -> Result<PathBuf, ReportError> {
        let shown = self.path.display().to_string();
        let err = |reason: String| ReportError::Write {
            path: shown.clone(),
            reason,
        };
        self.flush().map_err(|e| err(e.to_string()))?;
        if let Some(w) = self.writer.take() {
            let inner = w.into_inner().map_err(|e| err(e.to_string()))?;
            let file = inner.into_inner().map_err(|e| err(e.to_string()))?;
            file.sync_all().map_err(|e| err(reason(&e)))?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| err(reason(&e)))?;
        Ok(self.path.clone())
    }
}

/// The definition levels of an OPTIONAL column (1: a value, 0: null) and its values.
fn optional<T>(values: &[f64], convert: impl Fn(f64) -> Option<T>) -> (Vec<i16>, Vec<T>) {
    let mut levels = Vec::with_capacity(values.len());
    let mut out = Vec::with_capacity(values.len());
    for &v in values {
        match convert(v) {
            Some(x) => {
                levels.push(1);
                out.push(x);
            }
            None => levels.push(0),
        }
    }
    (levels, out)
}

/// Writes one column chunk of `kind` from the row values (NaN: none).
fn write_column(
    column: &mut SerializedColumnWriter<'_>,
    kind: ColumnKind,
    values: &[f64],
) -> Result<(), ParquetError> {
    match kind {
        ColumnKind::Trial => {
            let ints: Vec<i64> = values.iter().map(|&v| v as i64).collect();
            column.typed::<Int64Type>().write_batch(&ints, None, None)?;
        }
        ColumnKind::Number => {
            let (levels, xs) = optional(values, |v| (!v.is_nan()).then_some(v));
            column
                .typed::<DoubleType>()
                .write_batch(&xs, Some(&levels), None)?;
        }
        ColumnKind::Date => {
            let (levels, days) = optional(values, |t| {
                calendar_day(t).map(|(y, m, d)| days_since_epoch(y, m, d) as i32)
            });
            column
                .typed::<Int32Type>()
                .write_batch(&days, Some(&levels), None)?;
        }
        ColumnKind::Year => {
            let (levels, years) = optional(values, |v| v.is_finite().then_some(v as i32));
            column
                .typed::<Int32Type>()
                .write_batch(&years, Some(&levels), None)?;
        }
        ColumnKind::Flag => {
            let flags: Vec<bool> = values.iter().map(|&v| v != 0.0).collect();
            column.typed::<BoolType>().write_batch(&flags, None, None)?;
        }
    }
    Ok(())
}

impl Drop for TrialsParquet {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl TrialSink for TrialsParquet {
    fn write_rows(&mut self, _first_trial: u64, width: usize, rows: &[f64]) -> std::io::Result<()> {
        if width != self.columns.len() {
            return Err(std::io::Error::other(format!(
                "rows of {width} values for {} columns",
                self.columns.len()
            )));
        }
        for row in rows.chunks(width) {
            for (column, &v) in self.columns.iter_mut().zip(row) {
                column.push(v);
            }
            if self.columns[0].len() == self.row_group {
                self.flush().map_err(std::io::Error::other)?;
            }
        }
        Ok(())
    }
}

impl TrialsFile for TrialsParquet {
    fn sink(&mut self) -> &mut dyn TrialSink {
        self
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ReportError> {
        TrialsParquet::finish(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    /// Rows written in uneven batches come back in row groups of the set size, every kind
    /// with its type and its nulls, through the record reader (not the writer's code).
    #[test]
    fn rows_come_back_typed_in_row_groups() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = ["trial", "x.y", "first_shortfall", "breakeven_year", "ipo"]
            .map(String::from)
            .to_vec();
        let kinds = [
            ColumnKind::Trial,
            ColumnKind::Number,
            ColumnKind::Date,
            ColumnKind::Year,
            ColumnKind::Flag,
        ];
        let mut w =
            TrialsParquet::create(dir.path(), &names, &kinds).unwrap_or_else(|e| panic!("{e}"));
        w.row_group = 1000;
        let row = |i: u64| {
            let odd = i % 2 == 1;
            [
                i as f64,
                if i % 7 == 0 { f64::NAN } else { i as f64 * 0.5 },
                if odd { f64::NAN } else { 2028.25 },
                if odd { 2030.0 } else { f64::NAN },
                if odd { 1.0 } else { 0.0 },
            ]
        };
        let mut first = 0;
        for batch in [1, 999, 1001, 499] {
            let rows: Vec<f64> = (first..first + batch).flat_map(row).collect();
            w.write_rows(first, 5, &rows)
                .unwrap_or_else(|e| panic!("{e}"));
            first += batch;
        }
        let path = w.finish().unwrap_or_else(|e| panic!("{e}"));
        assert!(!temp_path(&path).exists());
        let file = File::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let reader = SerializedFileReader::new(file).unwrap_or_else(|e| panic!("{e}"));
        let groups: Vec<i64> = reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups, [1000, 1000, 500]);
        let mut n = 0;
        for (i, r) in reader
            .get_row_iter(None)
            .unwrap_or_else(|e| panic!("{e}"))
            .enumerate()
        {
            let r = r.unwrap_or_else(|e| panic!("{e}"));
            let f: Vec<&Field> = r.get_column_iter().map(|(_, f)| f).collect();
            let i = i as u64;
            assert_eq!(f[0], &Field::Long(i as i64));
            if i % 7 == 0 {
                assert_eq!(f[1], &Field::Null);
            } else {
                assert_eq!(f[1], &Field::Double(i as f64 * 0.5));
            }
            if i % 2 == 1 {
                assert_eq!(f[2], &Field::Null);
                assert_eq!(f[3], &Field::Int(2030));
                assert_eq!(f[4], &Field::Bool(true));
            } else {
                // 2028.25 is the end of 2028's first quarter: the day 31 Mar 2028.
                assert_eq!(f[2].to_string(), "2028-03-31");
                assert_eq!(f[3], &Field::Null);
                assert_eq!(f[4], &Field::Bool(false));
            }
            n += 1;
        }
        assert_eq!(n, 2500);
    }

    #[test]
    fn an_unfinished_file_is_removed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let names = vec!["trial".to_string()];
        let w = TrialsParquet::create(dir.path(), &names, &[ColumnKind::Trial])
            .unwrap_or_else(|e| panic!("{e}"));
        let tmp = w.tmp.clone();
        assert!(tmp.exists());
        drop(w);
        assert!(!tmp.exists());
        assert!(!dir.path().join("trials.parquet").exists());
    }
}
