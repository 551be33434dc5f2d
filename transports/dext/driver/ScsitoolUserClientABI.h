/*
 * ScsitoolUserClientABI.h — the user-client ABI between scsitool and ScsitoolDriver.
 *
 * This header mirrors transports/src/dext/abi.rs, the definition; the test
 * transports/tests/dext_abi_header.rs compiles it with the system C compiler and checks
 * every constant, size and offset below against the Rust layout. Change both together
 * and bump SCSITOOL_ABI_VERSION on any change.
 *
 * Both methods take structure input and output only (IOConnectCallStructMethod):
 *   kScsitoolSelectorGetAbiVersion: no input; output ScsitoolAbiVersionReply.
 *   kScsitoolSelectorExecuteCdb:    input  ScsitoolRequest  + data-out bytes,
 *                                   output ScsitoolResponse + data-in bytes.
 * Up to SCSITOOL_INLINE_LIMIT bytes travel inline (IOUserClientMethodArguments
 * structureInput / structureOutput as OSData); beyond it IOKit passes memory descriptors
 * (structureInputDescriptor / structureOutputDescriptor) that the DEXT maps. No field
 * ever carries a user-space address.
 *
 * All integers are little-endian; every structure is a multiple of 8 bytes with its
 * padding explicit (_reserved fields, zero when sent, ignored when received).
 */
#ifndef SCSITOOL_USER_CLIENT_ABI_H
#define SCSITOOL_USER_CLIENT_ABI_H

#include <stddef.h>
#include <stdint.h>

#define SCSITOOL_ABI_VERSION     1u
#define SCSITOOL_REQUEST_MAGIC   0x51544353u /* "SCTQ" in memory order */
#define SCSITOOL_RESPONSE_MAGIC  0x52544353u /* "SCTR" in memory order */
#define SCSITOOL_VERSION_MAGIC   0x56544353u /* "SCTV" in memory order */
#define SCSITOOL_MAX_CDB_LEN     16u
#define SCSITOOL_SENSE_FIELD_LEN 256u
#define SCSITOOL_MAX_SENSE_LEN   252u        /* SPC-5 4.4.1 */
#define SCSITOOL_MAX_TRANSFER    (1u << 20)
#define SCSITOOL_INLINE_LIMIT    4096u

enum {
    kScsitoolSelectorGetAbiVersion = 0,
    kScsitoolSelectorExecuteCdb    = 1,
};

enum {
    kScsitoolDirectionNone = 0,
    kScsitoolDirectionIn   = 1, /* device to host */
    kScsitoolDirectionOut  = 2, /* host to device */
};

enum {
    kScsitoolServiceResponseCommandComplete        = 0,
    kScsitoolServiceResponseDeliveryOrTargetFailure = 1,
};

enum {
    kScsitoolDeliveryFailureNone       = 0,
    kScsitoolDeliveryFailureTimeout    = 1,
    kScsitoolDeliveryFailureDeviceGone = 2,
    kScsitoolDeliveryFailureDelivery   = 3,
};

typedef struct ScsitoolRequest {
    uint32_t magic;           /* SCSITOOL_REQUEST_MAGIC */
    uint16_t abi_version;     /* SCSITOOL_ABI_VERSION */
    uint8_t  cdb_len;         /* 1 .. SCSITOOL_MAX_CDB_LEN */
    uint8_t  direction;       /* kScsitoolDirection* */
    uint8_t  cdb[SCSITOOL_MAX_CDB_LEN];
    uint32_t transfer_length; /* data-out bytes that follow, or the data-in buffer */
    uint32_t timeout_ms;      /* at least 1 */
    uint8_t  lun;
    uint8_t  _reserved[7];
} ScsitoolRequest;

typedef struct ScsitoolResponse {
    uint32_t magic;            /* SCSITOOL_RESPONSE_MAGIC */
    uint16_t abi_version;      /* SCSITOOL_ABI_VERSION */
    uint8_t  service_response; /* kScsitoolServiceResponse* */
    uint8_t  status;           /* SAM-5 status, with COMMAND COMPLETE */
    uint32_t residual;         /* transfer_length less the bytes moved */
    uint32_t data_length;      /* data-in bytes that follow */
    uint16_t sense_length;     /* at most SCSITOOL_MAX_SENSE_LEN */
    uint8_t  delivery_failure; /* kScsitoolDeliveryFailure* */
    uint8_t  _reserved[5];
    uint8_t  sense[SCSITOOL_SENSE_FIELD_LEN];
} ScsitoolResponse;

typedef struct ScsitoolAbiVersionReply {
    uint32_t magic;        /* SCSITOOL_VERSION_MAGIC */
    uint16_t abi_version;  /* SCSITOOL_ABI_VERSION */
    uint8_t  _reserved[2];
    uint32_t max_transfer; /* SCSITOOL_MAX_TRANSFER */
    uint8_t  _reserved2[4];
} ScsitoolAbiVersionReply;

#ifdef __cplusplus
#define SCSITOOL_STATIC_ASSERT static_assert
#else
#define SCSITOOL_STATIC_ASSERT _Static_assert
#endif

SCSITOOL_STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the ABI is little-endian");
SCSITOOL_STATIC_ASSERT(sizeof(ScsitoolRequest) == 40, "ScsitoolRequest is 40 bytes");
SCSITOOL_STATIC_ASSERT(sizeof(ScsitoolResponse) == 280, "ScsitoolResponse is 280 bytes");
SCSITOOL_STATIC_ASSERT(sizeof(ScsitoolAbiVersionReply) == 16, "ScsitoolAbiVersionReply is 16 bytes");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolRequest, cdb) == 8, "no implicit padding");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolRequest, transfer_length) == 24, "no implicit padding");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolRequest, lun) == 32, "no implicit padding");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolResponse, residual) == 8, "no implicit padding");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolResponse, sense_length) == 16, "no implicit padding");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolResponse, sense) == 24, "no implicit padding");
SCSITOOL_STATIC_ASSERT(offsetof(ScsitoolAbiVersionReply, max_transfer) == 8, "no implicit padding");

#endif /* SCSITOOL_USER_CLIENT_ABI_H */
