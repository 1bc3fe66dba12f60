package cluster

// Summary is one line of `berth cluster list`.
type Summary struct {
	Name      string
	Nodes     int
	Subnet    string
	APIServer string
	Status    string // running, stopped or incomplete
}

// List summarises the clusters under stateRoot.
func List(stateRoot string) ([]Summary, error) {
	if stateRoot == "" {
		stateRoot = DefaultStateRoot
	}
	states, err := ListStates(stateRoot)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, s := range states {
		out = append(out, Summary{Name: s.Name, Nodes: len(s.Nodes), Subnet: s.Subnet, APIServer: s.APIServer,
			Status: status(NewPaths(stateRoot, DefaultRunRoot, s.Name), s)})
	}
	return out, nil
}

func status(p Paths, s *State) string {
	if len(s.Nodes) == 0 {
		return "incomplete"
	}
	pid := readPIDFile(p.PIDFile(0))
	if pid > 0 && isNodeProcess(pid, p.NodeDir(0)+"/") {
		return "running"
	}
	if pid == 0 {
		return "incomplete"
	}
	return "stopped"
}
