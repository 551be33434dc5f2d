/*
 * nvme-identify-loop: the single-process baseline of bench/nvme-admin-rate. Sends the
 * Identify admin command (NVMe Base 2.0 5.17, opcode 06h) with CNS 01h (Identify
 * Controller, 5.17.2.1) into a 4096-byte buffer N times through Linux's
 * NVME_IOCTL_ADMIN_CMD, checks that every ioctl returns 0 (command completed with
 * status 0), and prints the count and the rate in the form
 *   Completed N Identify Controller commands in S seconds: R commands/sec
 *
 * usage: nvme-identify-loop DEVICE N      (e.g. /dev/nvme0 500)
 * Build: cc -O2 -static -o nvme-identify-loop bench/src/nvme-identify-loop.c
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define OPC_IDENTIFY 0x06
#define CNS_CONTROLLER 0x01
#define IDENTIFY_BYTES 4096

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char data[IDENTIFY_BYTES] __attribute__((aligned(4096)));
	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE N\n", argv[0]);
		return 2;
	}
	char *end;
	unsigned long n = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || n == 0) {
		fprintf(stderr, "N must be a positive number\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	unsigned long done = 0;
	double start = now();
	for (; done < n; done++) {
		struct nvme_admin_cmd cmd;
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = OPC_IDENTIFY;
		cmd.addr = (uint64_t)(uintptr_t)data;
		cmd.data_len = IDENTIFY_BYTES;
		cmd.cdw10 = CNS_CONTROLLER;
		int rc = ioctl(fd, NVME_IOCTL_ADMIN_CMD, &cmd);
		if (rc != 0) {
			if (rc < 0)
				fprintf(stderr, "command %lu: ioctl: %s\n", done + 1, strerror(errno));
			else
				fprintf(stderr, "command %lu: NVMe status %#x\n", done + 1, rc);
			break;
		}
	}
	double seconds = now() - start;
	close(fd);
	printf("Completed %lu Identify Controller commands in %.3f seconds: %.2f commands/sec\n",
	       done, seconds, seconds > 0 ? done / seconds : 0.0);
	return done == n ? 0 : 1;
}
