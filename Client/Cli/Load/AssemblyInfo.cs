using System.Runtime.CompilerServices;

// The load generator's own tests reach the command's option reading (internal, like the other commands).
[assembly: InternalsVisibleTo("OrleansWallet.Cli.Tests")]
