//! The data buffer of one command, shared by the SCSI and NVMe transports: none, data-in
//! to fill, or data-out to send, in the direction and length the command's own data phase
//! ([`DataPhase`]) fixes.

use cdb::command::DataPhase;

/// The data buffer of one command.
#[derive(Debug)]
pub enum DataBuffer<'a> {
    /// No data phase.
    None,
    /// Data-in: the device may fill up to the whole buffer.
    In(&'a mut [u8]),
    /// Data-out: the device receives these bytes.
    Out(&'a [u8]),
}

impl<'a> DataBuffer<'a> {
    /// The buffer for `phase`: data-in goes to `data_in`, sized to the phase's length
    /// (and emptied for other phases).
    pub fn for_phase(phase: DataPhase<'a>, data_in: &'a mut Vec<u8>) -> Self {
        data_in.clear();
        match phase {
            DataPhase::None => DataBuffer::None,
            DataPhase::In(len) => {
                data_in.resize(len as usize, 0);
                DataBuffer::In(data_in)
            }
            DataPhase::Out(bytes) => DataBuffer::Out(bytes),
        }
    }

    /// The data-out bytes and the data-in buffer; the one the phase does not use is empty.
    pub fn split(self) -> (&'a [u8], &'a mut [u8]) {
        match self {
            DataBuffer::None => (&[], &mut []),
            DataBuffer::In(buf) => (&[], buf),
            DataBuffer::Out(bytes) => (bytes, &mut []),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_sizes_and_directs_the_buffer() {
        let mut data_in = vec![7; 3];
        let (out, into) = DataBuffer::for_phase(DataPhase::In(16), &mut data_in).split();
        assert_eq!((out.len(), into.len()), (0, 16));
        assert!(into.iter().all(|&b| b == 0));
        let (out, into) = DataBuffer::for_phase(DataPhase::Out(&[1, 2]), &mut data_in).split();
        assert_eq!((out, into.len()), (&[1u8, 2][..], 0));
        let (out, into) = DataBuffer::for_phase(DataPhase::None, &mut data_in).split();
        assert_eq!((out.len(), into.len()), (0, 0));
        assert!(data_in.is_empty());
    }
}
