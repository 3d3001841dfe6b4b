package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.ExitStatus;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dstack completion}: prints a bash (and zsh) completion script generated from the live command tree. */
@Command(
        name = "completion",
        description = {
            "Print a bash completion script for dstack.",
            "Load it with `source <(dstack completion)`, or add that line to ~/.bashrc. In zsh, run "
                    + "`autoload -U +X bashcompinit && bashcompinit` first."
        })
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash(root.getCommandName(), root));
        return ExitStatus.OK;
    }
}
