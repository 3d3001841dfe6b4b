/** One class per {@code dstack} subcommand, each a picocli {@code @Command}; wired together by {@link ai.dstack.cli.internal.command.DstackCommand}. */
package ai.dstack.cli.internal.command;
