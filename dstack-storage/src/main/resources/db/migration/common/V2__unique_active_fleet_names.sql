-- One active fleet per name in a project, as dstack's fleet service promises: replicas that start together on an
-- empty database (each creating fleet 'local') or apply the same fleet at once then conflict instead of doubling it.
CREATE UNIQUE INDEX uq_fleets_project_id_name_active ON fleets (project_id, name) WHERE deleted = FALSE;
