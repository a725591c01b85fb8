mod ohchr_matrix;
