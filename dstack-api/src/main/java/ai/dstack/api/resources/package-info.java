/** Resource requirements (CPU, memory, GPU, disk) and dstack's range type. */
package ai.dstack.api.resources;
