/** Small runnable programs that embed or call dstack. */
package ai.dstack.examples;
