/*
 * ScsitoolUserClient — the ABI of ScsitoolUserClientABI.h over UserSendCDB.
 *
 * Every length and value that comes from the caller is checked before use; data is
 * copied between the method's structure input/output and buffers this DEXT allocates
 * (IOBufferMemoryDescriptor), never through a caller-supplied address. Calls arrive on
 * the user client's default queue, one at a time. Not built by the project's CI.
 */
#include <os/log.h>
#include <string.h>

#include <DriverKit/DriverKit.h>
#include <DriverKit/IOBufferMemoryDescriptor.h>
#include <DriverKit/IOMemoryDescriptor.h>
#include <DriverKit/IOMemoryMap.h>
#include <DriverKit/IOUserClient.h>
#include <DriverKit/OSData.h>
#include <SCSIPeripheralsDriverKit/IOUserSCSIPeripheralDeviceType00.h>

#include "ScsitoolDriver.h"
#include "ScsitoolUserClient.h"
#include "ScsitoolUserClientABI.h"

#define LOG(fmt, ...) os_log(OS_LOG_DEFAULT, "ScsitoolUserClient: " fmt, ##__VA_ARGS__)

struct ScsitoolUserClient_IVars {
    ScsitoolDriver * driver;
};

/* The structure input, inline (OSData) or mapped from its memory descriptor. */
struct Input {
    const uint8_t * bytes;
    uint64_t        length;
    IOMemoryMap *   map;
};

/* A buffer this DEXT owns and the address UserSendCDB is given for it. */
struct Buffer {
    IOBufferMemoryDescriptor * memory;
    uint8_t *                  bytes;
    uint64_t                   length;
};

bool
ScsitoolUserClient::init()
{
    if (!super::init()) {
        return false;
    }
    ivars = IONewZero(ScsitoolUserClient_IVars, 1);
    return ivars != nullptr;
}

void
ScsitoolUserClient::free()
{
    if (ivars != nullptr) {
        OSSafeReleaseNULL(ivars->driver);
    }
    IOSafeDeleteNULL(ivars, ScsitoolUserClient_IVars, 1);
    super::free();
}

kern_return_t
IMPL(ScsitoolUserClient, Start)
{
    kern_return_t ret = Start(provider, SUPERDISPATCH);
    if (ret != kIOReturnSuccess) {
        return ret;
    }
    ivars->driver = OSDynamicCast(ScsitoolDriver, provider);
    if (ivars->driver == nullptr) {
        LOG("Start: the provider is not a ScsitoolDriver");
        Stop(provider, SUPERDISPATCH);
        return kIOReturnNotAttached;
    }
    ivars->driver->retain();
    return kIOReturnSuccess;
}

kern_return_t
IMPL(ScsitoolUserClient, Stop)
{
    OSSafeReleaseNULL(ivars->driver);
    return Stop(provider, SUPERDISPATCH);
}

static kern_return_t
ReadInput(IOUserClientMethodArguments * args, Input * input)
{
    input->bytes = nullptr;
    input->length = 0;
    input->map = nullptr;
    if (args->structureInput != nullptr) {
        input->bytes = static_cast<const uint8_t *>(args->structureInput->getBytesNoCopy());
        input->length = args->structureInput->getLength();
    } else if (args->structureInputDescriptor != nullptr) {
        kern_return_t ret = args->structureInputDescriptor->CreateMapping(0, 0, 0, 0, 0,
                                                                          &input->map);
        if (ret != kIOReturnSuccess) {
            return ret;
        }
        input->bytes = reinterpret_cast<const uint8_t *>(input->map->GetAddress());
        input->length = input->map->GetLength();
    }
    if (input->length != 0 && input->bytes == nullptr) {
        return kIOReturnBadArgument;
    }
    return kIOReturnSuccess;
}

/* Writes header + data as the structure output: into the caller's descriptor when IOKit
 * passed one (large outputs), else as an OSData (inline, at most
 * structureOutputMaximumSize). */
static kern_return_t
WriteOutput(IOUserClientMethodArguments * args, const void * header, uint64_t headerLength,
            const uint8_t * data, uint64_t dataLength)
{
    if (dataLength > SCSITOOL_MAX_TRANSFER) {
        return kIOReturnNoSpace;
    }
    const uint64_t total = headerLength + dataLength;
    if (args->structureOutputDescriptor != nullptr) {
        IOMemoryMap * map = nullptr;
        kern_return_t ret = args->structureOutputDescriptor->CreateMapping(0, 0, 0, 0, 0, &map);
        if (ret != kIOReturnSuccess) {
            return ret;
        }
        uint8_t * out = reinterpret_cast<uint8_t *>(map->GetAddress());
        if (out == nullptr || map->GetLength() < total) {
            map->release();
            return kIOReturnNoSpace;
        }
        memcpy(out, header, headerLength);
        if (dataLength != 0) {
            memcpy(out + headerLength, data, dataLength);
        }
        map->release();
        return kIOReturnSuccess;
    }
    if (total > args->structureOutputMaximumSize || total > SCSITOOL_INLINE_LIMIT) {
        return kIOReturnNoSpace;
    }
    OSData * out = OSData::withCapacity(static_cast<uint32_t>(total));
    if (out == nullptr) {
        return kIOReturnNoMemory;
    }
    if (!out->appendBytes(header, headerLength)
        || (dataLength != 0 && !out->appendBytes(data, dataLength))) {
        out->release();
        return kIOReturnNoMemory;
    }
    args->structureOutput = out; /* the caller consumes the reference */
    return kIOReturnSuccess;
}

static kern_return_t
NewBuffer(uint64_t length, Buffer * buffer)
{
    buffer->memory = nullptr;
    buffer->bytes = nullptr;
    buffer->length = 0;
    if (length == 0) {
        return kIOReturnSuccess;
    }
    kern_return_t ret = IOBufferMemoryDescriptor::Create(kIOMemoryDirectionInOut, length, 0,
                                                         &buffer->memory);
    if (ret != kIOReturnSuccess) {
        return ret;
    }
    ret = buffer->memory->SetLength(length);
    IOAddressSegment segment = {};
    if (ret == kIOReturnSuccess) {
        ret = buffer->memory->GetAddressRange(&segment);
    }
    if (ret != kIOReturnSuccess || segment.address == 0 || segment.length < length) {
        OSSafeReleaseNULL(buffer->memory);
        return ret != kIOReturnSuccess ? ret : kIOReturnNoMemory;
    }
    buffer->bytes = reinterpret_cast<uint8_t *>(segment.address);
    buffer->length = length;
    memset(buffer->bytes, 0, length);
    return kIOReturnSuccess;
}

/* The valid length of the sense data in `sense` (SPC-5 4.4.2 and 4.4.3: fixed and
 * descriptor formats both give ADDITIONAL SENSE LENGTH in byte 7), at most 252. */
static uint16_t
SenseLength(const uint8_t * sense)
{
    const uint8_t code = sense[0] & 0x7f;
    if (code < 0x70 || code > 0x73) {
        return 0;
    }
    const uint16_t length = 8 + sense[7];
    return length > SCSITOOL_MAX_SENSE_LEN ? SCSITOOL_MAX_SENSE_LEN : length;
}

static uint8_t
DeliveryFailureOf(uint32_t taskStatus)
{
    switch (taskStatus) {
    case kSCSITaskStatus_TaskTimeoutOccurred:
    case kSCSITaskStatus_ProtocolTimeoutOccurred:
        return kScsitoolDeliveryFailureTimeout;
    case kSCSITaskStatus_DeviceNotPresent:
        return kScsitoolDeliveryFailureDeviceGone;
    default:
        return kScsitoolDeliveryFailureDelivery;
    }
}

static kern_return_t
GetAbiVersion(IOUserClientMethodArguments * args)
{
    Input input;
    kern_return_t ret = ReadInput(args, &input);
    if (ret != kIOReturnSuccess) {
        return ret;
    }
    OSSafeReleaseNULL(input.map);
    if (input.length != 0) {
        return kIOReturnBadArgument;
    }
    ScsitoolAbiVersionReply reply;
    memset(&reply, 0, sizeof reply);
    reply.magic = SCSITOOL_VERSION_MAGIC;
    reply.abi_version = SCSITOOL_ABI_VERSION;
    reply.max_transfer = SCSITOOL_MAX_TRANSFER;
    return WriteOutput(args, &reply, sizeof reply, nullptr, 0);
}

/* Checks the request header and the data-out length that follows it. */
static bool
RequestIsValid(const ScsitoolRequest & req, uint64_t payload)
{
    if (req.magic != SCSITOOL_REQUEST_MAGIC || req.abi_version != SCSITOOL_ABI_VERSION) {
        return false;
    }
    if (req.cdb_len == 0 || req.cdb_len > SCSITOOL_MAX_CDB_LEN || req.timeout_ms == 0
        || req.transfer_length > SCSITOOL_MAX_TRANSFER) {
        return false;
    }
    switch (req.direction) {
    case kScsitoolDirectionNone:
        return req.transfer_length == 0 && payload == 0;
    case kScsitoolDirectionIn:
        return req.transfer_length != 0 && payload == 0;
    case kScsitoolDirectionOut:
        return req.transfer_length != 0 && payload == req.transfer_length;
    default:
        return false;
    }
}

static kern_return_t
ExecuteCdb(ScsitoolDriver * driver, IOUserClientMethodArguments * args)
{
    Input input;
    kern_return_t ret = ReadInput(args, &input);
    if (ret != kIOReturnSuccess) {
        return ret;
    }
    ScsitoolRequest req;
    if (input.length < sizeof req) {
        OSSafeReleaseNULL(input.map);
        return kIOReturnBadArgument;
    }
    memcpy(&req, input.bytes, sizeof req); /* the input may be unaligned */
    const uint64_t payload = input.length - sizeof req;
    if (!RequestIsValid(req, payload)) {
        OSSafeReleaseNULL(input.map);
        return kIOReturnBadArgument;
    }

    Buffer data;
    Buffer sense;
    ret = NewBuffer(req.transfer_length, &data);
    if (ret == kIOReturnSuccess) {
        ret = NewBuffer(SCSITOOL_SENSE_FIELD_LEN, &sense);
        if (ret != kIOReturnSuccess) {
            OSSafeReleaseNULL(data.memory);
        }
    }
    if (ret != kIOReturnSuccess) {
        OSSafeReleaseNULL(input.map);
        return ret;
    }
    if (req.direction == kScsitoolDirectionOut) {
        memcpy(data.bytes, input.bytes + sizeof req, req.transfer_length);
    }
    OSSafeReleaseNULL(input.map);

    SCSIType00OutParameters command;
    SCSIType00InParameters  response;
    memset(&command, 0, sizeof command);
    memset(&response, 0, sizeof response);
    command.fLogicalUnitNumber = req.lun;
    command.fTimeoutDuration = req.timeout_ms;
    memcpy(command.fCommandDescriptorBlock, req.cdb, req.cdb_len);
    command.fRequestedByteCountOfTransfer = req.transfer_length;
    command.fSenseLengthRequested = SCSITOOL_MAX_SENSE_LEN;
    command.fDataBufferAddr = reinterpret_cast<uint64_t>(data.bytes);
    command.fSenseBufferAddr = reinterpret_cast<uint64_t>(sense.bytes);
    switch (req.direction) {
    case kScsitoolDirectionIn:
        command.fBufferDirection = kIOMemoryDirectionIn;
        command.fDataTransferDirection = kSCSIDataTransfer_FromTargetToInitiator;
        break;
    case kScsitoolDirectionOut:
        command.fBufferDirection = kIOMemoryDirectionOut;
        command.fDataTransferDirection = kSCSIDataTransfer_FromInitiatorToTarget;
        break;
    default:
        command.fBufferDirection = kIOMemoryDirectionNone;
        command.fDataTransferDirection = kSCSIDataTransfer_NoDataTransfer;
        break;
    }

    ret = driver->UserSendCDB(command, &response);
    if (ret != kIOReturnSuccess) {
        LOG("UserSendCDB(%02x) failed: 0x%08x", req.cdb[0], ret);
        OSSafeReleaseNULL(sense.memory);
        OSSafeReleaseNULL(data.memory);
        return ret;
    }

    ScsitoolResponse out;
    memset(&out, 0, sizeof out);
    out.magic = SCSITOOL_RESPONSE_MAGIC;
    out.abi_version = SCSITOOL_ABI_VERSION;
    out.residual = req.transfer_length;
    const uint32_t taskStatus = static_cast<uint32_t>(response.fCompletionStatus);
    if (response.fServiceResponse == kSCSIServiceResponse_TASK_COMPLETE
        && taskStatus != kSCSITaskStatus_No_Status && taskStatus <= 0xff) {
        /* Never report more than was asked, whatever the framework says. */
        uint64_t moved = response.fRealizedByteCountOfTransfer;
        if (moved > req.transfer_length) {
            moved = req.transfer_length;
        }
        out.service_response = kScsitoolServiceResponseCommandComplete;
        out.status = static_cast<uint8_t>(taskStatus);
        out.residual = req.transfer_length - static_cast<uint32_t>(moved);
        if (req.direction == kScsitoolDirectionIn) {
            out.data_length = static_cast<uint32_t>(moved);
        }
        if (response.fSenseDataValid) {
            out.sense_length = SenseLength(sense.bytes);
            memcpy(out.sense, sense.bytes, out.sense_length);
        }
    } else {
        out.service_response = kScsitoolServiceResponseDeliveryOrTargetFailure;
        out.delivery_failure = DeliveryFailureOf(taskStatus);
    }

    ret = WriteOutput(args, &out, sizeof out, data.bytes, out.data_length);
    OSSafeReleaseNULL(sense.memory);
    OSSafeReleaseNULL(data.memory);
    return ret;
}

kern_return_t
ScsitoolUserClient::ExternalMethod(uint64_t selector, IOUserClientMethodArguments * arguments,
                                   const IOUserClientMethodDispatch * dispatch,
                                   OSObject * target, void * reference)
{
    (void)dispatch;
    (void)target;
    (void)reference;
    if (arguments == nullptr || arguments->scalarInputCount != 0) {
        return kIOReturnBadArgument;
    }
    if (ivars == nullptr || ivars->driver == nullptr) {
        return kIOReturnNotAttached;
    }
    switch (selector) {
    case kScsitoolSelectorGetAbiVersion:
        return GetAbiVersion(arguments);
    case kScsitoolSelectorExecuteCdb:
        return ExecuteCdb(ivars->driver, arguments);
    default:
        return kIOReturnBadArgument;
    }
}
