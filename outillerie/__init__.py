"""outillerie : un commun de fiches ateliers, cherché, publié et compté."""

__version__ = "0.1.0"
