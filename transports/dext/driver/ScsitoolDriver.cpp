/*
 * ScsitoolDriver — see ScsitoolDriver.iig. Not built by the project's CI.
 */
#include <os/log.h>

#include <DriverKit/DriverKit.h>
#include <DriverKit/IOUserClient.h>
#include <SCSIPeripheralsDriverKit/IOUserSCSIPeripheralDeviceType00.h>

#include "ScsitoolDriver.h"

#define LOG(fmt, ...) os_log(OS_LOG_DEFAULT, "ScsitoolDriver: " fmt, ##__VA_ARGS__)

bool
ScsitoolDriver::init()
{
    return super::init();
}

void
ScsitoolDriver::free()
{
    super::free();
}

kern_return_t
IMPL(ScsitoolDriver, Start)
{
    kern_return_t ret = Start(provider, SUPERDISPATCH);
    if (ret != kIOReturnSuccess) {
        LOG("Start: the family refused: 0x%08x", ret);
        return ret;
    }
    /* Registered, the service can be matched and opened by scsitool. */
    ret = RegisterService();
    if (ret != kIOReturnSuccess) {
        LOG("Start: RegisterService failed: 0x%08x", ret);
        Stop(provider, SUPERDISPATCH);
    }
    return ret;
}

kern_return_t
IMPL(ScsitoolDriver, Stop)
{
    return Stop(provider, SUPERDISPATCH);
}

kern_return_t
IMPL(ScsitoolDriver, NewUserClient)
{
    if (userClient == nullptr) {
        return kIOReturnBadArgument;
    }
    *userClient = nullptr;
    if (type != 0) {
        LOG("NewUserClient: unknown type %u", type);
        return kIOReturnBadArgument;
    }
    IOService * client = nullptr;
    kern_return_t ret = Create(this, "UserClientProperties", &client);
    if (ret != kIOReturnSuccess) {
        LOG("NewUserClient: Create(UserClientProperties) failed: 0x%08x", ret);
        return ret;
    }
    *userClient = OSDynamicCast(IOUserClient, client);
    if (*userClient == nullptr) {
        LOG("NewUserClient: UserClientProperties did not make an IOUserClient");
        client->release();
        return kIOReturnError;
    }
    return kIOReturnSuccess;
}

kern_return_t
IMPL(ScsitoolDriver, UserDetermineDeviceCharacteristics)
{
    if (result == nullptr) {
        return kIOReturnBadArgument;
    }
    *result = true;
    return kIOReturnSuccess;
}
