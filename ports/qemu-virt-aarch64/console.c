/* SPDX-License-Identifier: MIT */
/*
 * console.c - the PL011 UART at 0x0900_0000, polled, transmit only.
 *
 * QEMU's PL011 needs no set-up: it transmits as soon as DR is written.  On
 * real hardware firmware would have set the baud rate; we only wait for room
 * in the FIFO.
 */
#include <stdio.h>

#include "port.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5) /* transmit FIFO full */

static volatile uint32_t *uart_reg(unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(VIRT_UART_BASE + off);
}

void port_putc(char c)
{
	while (*uart_reg(UART_FR) & UART_FR_TXFF)
		;
	*uart_reg(UART_DR) = (uint32_t)(unsigned char)c;
}

void port_puts(const char *s)
{
	while (*s)
		port_putc(*s++);
}

void port_vprintf(const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	port_puts(line);
}

void port_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	port_vprintf(fmt, ap);
	va_end(ap);
}
