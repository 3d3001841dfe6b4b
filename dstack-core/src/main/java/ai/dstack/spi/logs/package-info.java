/**
 * Log storage SPI (dstack's {@code LogStorage}): where job and runner output is written and read back. May evolve
 * faster than {@code ai.dstack.api}.
 */
package ai.dstack.spi.logs;
