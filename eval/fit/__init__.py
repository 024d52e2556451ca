"""The fitters of the numbers logsmith ships in `logsmith/planning/data/`: the variable ranker
(`variables`), the level priors (`levels`) and the second opinion on the model's values
(`second_opinion`), with what they share (`common`). Each fits on the dev (and train) splits only,
scores itself by leave-one-project-out with the product's own scoring functions, and writes its
data file with the provenance of the run."""
