"""The lab model: LabModel (the timeline of a day) over components that each own one concern."""
