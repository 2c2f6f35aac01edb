namespace FormerSearch.Engine.Distributed;

/// <summary>
/// Which ranks this process belongs to: the MPI world when <c>mpirun</c> started it (Open MPI sets
/// <c>OMPI_COMM_WORLD_SIZE</c>), else one process. MPI's library is loaded only in the first case, so a plain run needs
/// no MPI installed.
/// </summary>
public static class Cluster
{
    /// <summary>The environment variable Open MPI's launcher gives every rank.</summary>
    public const string WorldSizeVariable = "OMPI_COMM_WORLD_SIZE";

    /// <summary>Whether Open MPI's <c>mpirun</c> started this process.</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable(WorldSizeVariable) is not null;

    /// <summary>The ranks of this run as <see cref="Join"/> found them; one process until it is called.</summary>
    public static ICommunicator World { get; private set; } = SingleProcess.Instance;

    /// <summary>Sets <see cref="World"/>: an <see cref="MpiCommunicator"/> under mpirun (MPI initialised), else <see cref="SingleProcess.Instance"/>.</summary>
    /// <exception cref="UserInputException">Started by mpirun, but Open MPI's library cannot be loaded.</exception>
    public static ICommunicator Join()
    {
        if (LaunchedByMpirun && World is SingleProcess) World = new MpiCommunicator();
        return World;
    }
}
