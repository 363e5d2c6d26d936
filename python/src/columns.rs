//! Arrow columns written as their buffers (the columnar format's validity bitmap, i32
//! offsets and UTF-8 data; i64 values), for pyarrow to take with `Array.from_buffers`
//! without a Python object per value.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A validity bitmap, one bit per row, least significant bit first.
#[derive(Default)]
struct Validity {
    bits: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl Validity {
    fn push(&mut self, present: bool) {
        if self.len.is_multiple_of(8) {
            self.bits.push(0);
        }
        if present {
            if let Some(last) = self.bits.last_mut() {
                *last |= 1 << (self.len % 8);
            }
        } else {
            self.nulls += 1;
        }
        self.len += 1;
    }
}

/// A string column as pyarrow takes it: (null count, validity, offsets, data).
pub type StringBuffers = (usize, Py<PyBytes>, Py<PyBytes>, Py<PyBytes>);

/// A string column.
pub struct Strings {
    valid: Validity,
    offsets: Vec<u8>,
    data: Vec<u8>,
}

impl Default for Strings {
    fn default() -> Strings {
        Strings {
            valid: Validity::default(),
            offsets: 0i32.to_le_bytes().to_vec(),
            data: Vec::new(),
        }
    }
}

impl Strings {
    pub fn push(&mut self, value: Option<&str>) {
        self.valid.push(value.is_some());
        self.data.extend_from_slice(value.unwrap_or("").as_bytes());
        // Checked when the column is handed over: past 2 GiB the offsets would wrap.
        let end = i32::try_from(self.data.len()).unwrap_or(i32::MAX);
        self.offsets.extend_from_slice(&end.to_le_bytes());
    }

    /// (null count, validity, offsets, data).
    pub fn into_py(self, py: Python<'_>) -> PyResult<StringBuffers> {
        if i32::try_from(self.data.len()).is_err() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "a result column holds more than 2 GiB of text: decide fewer cases at a time",
            ));
        }
        Ok((
            self.valid.nulls,
            PyBytes::new(py, &self.valid.bits).unbind(),
            PyBytes::new(py, &self.offsets).unbind(),
            PyBytes::new(py, &self.data).unbind(),
        ))
    }
}

/// A column of instants, UTC seconds.
#[derive(Default)]
pub struct Times {
    valid: Validity,
    values: Vec<u8>,
}

impl Times {
    pub fn push(&mut self, value: Option<i64>) {
        self.valid.push(value.is_some());
        self.values
            .extend_from_slice(&value.unwrap_or(0).to_le_bytes());
    }

    /// (null count, validity, values).
    pub fn into_py(self, py: Python<'_>) -> (usize, Py<PyBytes>, Py<PyBytes>) {
        (
            self.valid.nulls,
            PyBytes::new(py, &self.valid.bits).unbind(),
            PyBytes::new(py, &self.values).unbind(),
        )
    }
}
