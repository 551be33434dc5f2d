//! The bridge chips the emulator imitates: one table of what each one reports (USB
//! identity, standard INQUIRY strings) and which vendor tunnel for NVMe admin commands it
//! has, with its limits (facts from smartmontools' SCSI-to-NVMe tunnel support and its
//! USB ID database).

/// A USB device's identity (USB 2.0 9.6.1, device descriptor idVendor and idProduct).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UsbId {
    /// idVendor: the vendor ID the USB-IF assigned.
    pub vendor_id: u16,
    /// idProduct: the vendor's product ID.
    pub product_id: u16,
}

/// How a bridge tunnels NVMe admin commands through SCSI CDBs (vendor specific operation
/// codes, SPC-5 4.2.5.1), or does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tunnel {
    /// No tunnel at all.
    None,
    /// ASMedia: a 16-byte CDB E6h carrying the opcode and CDW10, CDW12, CDW13; data-in
    /// only; Identify and Get Log Page only; no NSID; no completion status returned.
    AsmediaE6,
    /// Realtek: a 16-byte CDB E4h carrying a little-endian transfer length, the opcode and
    /// CDW10 bits 7:0; data-in only; bytes past 512 of a log page are stale.
    RealtekE4,
    /// JMicron: three ATA PASS-THROUGH (12) CDBs (A1h): the 512-byte command block, the
    /// data phase (none, DMA-in or DMA-out), the 512-byte completion block.
    JmicronA1,
}

/// A USB–NVMe bridge model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// A plain bridge: no tunnel, no WRITE BUFFER.
    NoWriteBuffer,
    /// ASMedia ASM2362.
    Asmedia,
    /// Realtek RTL9210.
    Realtek,
    /// JMicron JMS583.
    Jmicron,
}

/// What one model reports and does.
struct Facts {
    usb: UsbId,
    vendor: &'static str,
    product: &'static str,
    revision: &'static str,
    tunnel: Tunnel,
    sat_layer: bool,
}

const fn usb(vendor_id: u16, product_id: u16) -> UsbId {
    UsbId {
        vendor_id,
        product_id,
    }
}

impl Model {
    /// Every model, in profile order.
    pub const ALL: [Model; 4] = [
        Model::NoWriteBuffer,
        Model::Asmedia,
        Model::Realtek,
        Model::Jmicron,
    ];

    fn facts(self) -> Facts {
        match self {
            // QEMU's usb-storage identity (hw/usb/dev-storage.c): a VID:PID no tool's
            // bridge database lists, so a host must treat the bridge as unknown.
            Model::NoWriteBuffer => Facts {
                usb: usb(0x46f4, 0x0001),
                vendor: "USB",
                product: "NVMe Bridge",
                revision: "1.00",
                tunnel: Tunnel::None,
                sat_layer: true,
            },
            Model::Asmedia => Facts {
                usb: usb(0x174c, 0x2362),
                vendor: "ASMT",
                product: "ASM2362",
                revision: "0",
                tunnel: Tunnel::AsmediaE6,
                sat_layer: true,
            },
            Model::Realtek => Facts {
                usb: usb(0x0bda, 0x9210),
                vendor: "Realtek",
                product: "RTL9210 NVME",
                revision: "1.00",
                tunnel: Tunnel::RealtekE4,
                sat_layer: true,
            },
            Model::Jmicron => Facts {
                usb: usb(0x152d, 0x0583),
                vendor: "JMicron",
                product: "Generic",
                revision: "0509",
                tunnel: Tunnel::JmicronA1,
                sat_layer: false,
            },
        }
    }

    /// The USB identity as smartmontools' USB ID database lists the chip (the plain
    /// bridge uses QEMU's usb-storage identity, an ID no bridge database lists).
    pub fn usb_id(self) -> UsbId {
        self.facts().usb
    }

    /// T10 VENDOR IDENTIFICATION of the standard INQUIRY data (SPC-5 6.7.2).
    pub fn vendor(self) -> &'static str {
        self.facts().vendor
    }

    /// PRODUCT IDENTIFICATION of the standard INQUIRY data (SPC-5 6.7.2).
    pub fn product(self) -> &'static str {
        self.facts().product
    }

    /// PRODUCT REVISION LEVEL of the standard INQUIRY data (SPC-5 6.7.2): the bridge's
    /// firmware, not the drive's.
    pub fn revision(self) -> &'static str {
        self.facts().revision
    }

    /// The vendor tunnel for NVMe admin commands.
    pub fn tunnel(self) -> Tunnel {
        self.facts().tunnel
    }

    /// Whether the chip keeps a SAT layer (SAT-5) in its firmware: ASMedia and Realtek
    /// chips of these families also bridge SATA drives, and the plain bridge stands for
    /// any SAT-style bridge. Such a chip reads ATA PASS-THROUGH (A1h, 85h) as SAT-5 says,
    /// so JMicron's first tunnel CDB (A1h, PROTOCOL 0) is an ATA hardware reset: the
    /// drive behind it is reset. JMicron's chip reads A1h as its tunnel instead.
    pub fn sat_layer(self) -> bool {
        self.facts().sat_layer
    }
}
